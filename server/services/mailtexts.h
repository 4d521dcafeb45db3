#pragma once

#include <QHash>
#include <QString>
#include <QTranslator>

#include <memory>

namespace Tasklane {

// The words of notification email in each language the server writes (isSupportedLanguage),
// through Qt's translation system: the English source strings (context "Mail") are translated
// by translations/tasklaned_<language>.ts, compiled into :/i18n. Each language has a translator
// of its own, never installed in the application, so that threads writing email in different
// languages at once do not meet. Read-only after construction: thread-safe.
class MailTexts
{
public:
    MailTexts();

    // `source` (a QT_TRANSLATE_NOOP("Mail", ...) string) in `language`; the source itself for
    // English, or when no translation exists.
    QString text(const char *source, const QString &language) const;
    // Whether `language` has its translations loaded (English needs none).
    bool speaks(const QString &language) const;

private:
    QHash<QString, std::shared_ptr<QTranslator>> m_translators;
};

} // namespace Tasklane
