#include "mailtexts.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcJobs)

namespace Tasklane {

MailTexts::MailTexts()
{
    for (const QString &language : { u"de"_s }) {
        auto translator = std::make_shared<QTranslator>();
        if (translator->load(u":/i18n/tasklaned_"_s + language + u".qm"_s))
            m_translators.insert(language, translator);
        else
            qCWarning(lcJobs, "no %s translation of email texts: they go out in English",
                      qUtf8Printable(language));
    }
}

QString MailTexts::text(const char *source, const QString &language) const
{
    if (const auto translator = m_translators.constFind(language);
        translator != m_translators.cend()) {
        const QString translated = (*translator)->translate("Mail", source);
        if (!translated.isEmpty())
            return translated;
    }
    return QString::fromUtf8(source);
}

bool MailTexts::speaks(const QString &language) const
{
    return language == u"en" || m_translators.contains(language);
}

} // namespace Tasklane
