# tasklane_add_test(<name> SOURCES <files...> [LIBS <targets...>] [LABELS <labels...>])
# One Qt Test executable per class, registered with CTest under its own name.
function(tasklane_add_test name)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;LIBS;LABELS")
    qt_add_executable(${name} ${arg_SOURCES})
    set_target_properties(${name} PROPERTIES MACOSX_BUNDLE OFF WIN32_EXECUTABLE OFF)
    target_link_libraries(${name} PRIVATE tasklane_policy Qt6::Test ${arg_LIBS})
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES
        LABELS "${arg_LABELS}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;TASKLANED=$<TARGET_FILE:tasklaned>;TASKLANE_TEST_EVIDENCE=${TASKLANE_TEST_EVIDENCE}"
        FIXTURES_REQUIRED evidence
        TIMEOUT 300)
endfunction()
