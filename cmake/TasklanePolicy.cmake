# One INTERFACE target carries the compile policy every Tasklane target links.
add_library(tasklane_policy INTERFACE)
target_compile_features(tasklane_policy INTERFACE cxx_std_20)
target_compile_definitions(tasklane_policy INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_CONTEXTLESS_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_FOREACH
    QT_NO_KEYWORDS
    TASKLANE_VERSION="${PROJECT_VERSION}")
target_compile_options(tasklane_policy INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wconversion -Wno-sign-conversion -Wformat=2 -Wimplicit-fallthrough)
if(TASKLANE_WERROR)
    target_compile_options(tasklane_policy INTERFACE -Werror)
endif()
if(TASKLANE_SANITIZE)
    target_compile_options(tasklane_policy INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(tasklane_policy INTERFACE -fsanitize=address,undefined)
endif()
