#include "authrequests.h"

#include "jsonfieldreader.h"
#include "phonerequests.h"
#include "user.h"

#include <QLocale>
#include <QRegularExpression>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

using Presence = JsonFieldReader::Presence;

const QString EmailField = u"email"_s;
const QString PasswordField = u"password"_s;
const QString DisplayNameField = u"display_name"_s;

bool hasControlCharacters(QStringView text)
{
    return std::any_of(text.begin(), text.end(), [](QChar c) {
        return c.category() == QChar::Other_Control || c.category() == QChar::Other_Format
                || c.category() == QChar::Separator_Line
                || c.category() == QChar::Separator_Paragraph;
    });
}

bool isValidDomainLabel(QStringView label)
{
    if (label.isEmpty() || label.size() > 63 || label.startsWith(u'-') || label.endsWith(u'-'))
        return false;
    return std::all_of(label.begin(), label.end(),
                       [](QChar c) { return c.isLetterOrNumber() || c == u'-'; });
}

} // namespace

std::optional<QString> readAccountEmail(JsonFieldReader &reader, JsonFieldReader::Presence presence)
{
    const auto email = reader.string(EmailField, presence, AccountLimits::EmailMaxLength, 1);
    if (!email)
        return std::nullopt;
    auto normalized = normalizeEmail(*email);
    if (!normalized)
        reader.addError(EmailField, u"invalid_format"_s, u"This is not an email address."_s);
    return normalized;
}

namespace {

std::optional<QString> readNewPassword(JsonFieldReader &reader, const QString &field,
                                       Presence presence)
{
    return reader.string(field, presence, AccountLimits::PasswordMaxLength,
                         AccountLimits::PasswordMinLength);
}

} // namespace

std::optional<QString> readAccountDisplayName(JsonFieldReader &reader,
                                              JsonFieldReader::Presence presence)
{
    auto name = reader.string(DisplayNameField, presence, AccountLimits::DisplayNameMaxLength, 1);
    if (name && !isValidDisplayName(*name)) {
        reader.addError(DisplayNameField, u"invalid_format"_s,
                        u"A display name needs a visible character and no control characters."_s);
        return std::nullopt;
    }
    return name;
}

namespace {

// Text with line breaks and tabs, but no other control or format characters.
bool isValidBio(QStringView text)
{
    return std::none_of(text.begin(), text.end(), [](QChar c) {
        if (c == u'\n' || c == u'\t')
            return false;
        return c.category() == QChar::Other_Control || c.category() == QChar::Other_Format
                || c.category() == QChar::Separator_Line
                || c.category() == QChar::Separator_Paragraph;
    });
}

} // namespace

std::optional<QString> normalizeLocale(const QString &tag)
{
    static const QRegularExpression shape(
            u"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{4}))?(?:[-_]([a-zA-Z]{2}|[0-9]{3}))?$"_s);
    const auto match = shape.match(tag.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    QString canonical = match.captured(1).toLower();
    if (!match.captured(2).isEmpty()) {
        const QString script = match.captured(2).toLower();
        canonical += u'-' + script.left(1).toUpper() + script.mid(1);
    }
    if (!match.captured(3).isEmpty())
        canonical += u'-' + match.captured(3).toUpper();
    // QLocale falls back to "C" for a language it does not know.
    const QLocale locale(canonical);
    if (locale.language() == QLocale::C || locale.language() == QLocale::AnyLanguage)
        return std::nullopt;
    if (QLocale::languageToCode(locale.language()) != match.captured(1).toLower())
        return std::nullopt;
    return canonical;
}

std::optional<QString> normalizeContactPhone(const QString &typed)
{
    QString phone;
    for (const QChar c : typed.trimmed()) {
        if (c == u' ' || c == u'-' || c == u'.' || c == u'(' || c == u')')
            continue;
        phone += c;
    }
    return isE164(phone) ? std::optional(phone) : std::nullopt;
}

std::optional<QString> normalizeEmail(const QString &email)
{
    if (email.size() > AccountLimits::EmailMaxLength || hasControlCharacters(email))
        return std::nullopt;
    const qsizetype at = email.lastIndexOf(u'@');
    if (at <= 0 || at > 64 || at == email.size() - 1)
        return std::nullopt;
    const QStringView local = QStringView(email).left(at);
    const QStringView domain = QStringView(email).mid(at + 1);
    const bool localOk = std::none_of(local.begin(), local.end(), [](QChar c) {
        return c.isSpace() || c == u'@' || c == u'<' || c == u'>' || c == u'(' || c == u')'
                || c == u',' || c == u';' || c == u':' || c == u'\\' || c == u'"' || c == u'['
                || c == u']';
    });
    if (!localOk || local.startsWith(u'.') || local.endsWith(u'.') || local.contains(u".."))
        return std::nullopt;
    const QList<QStringView> labels = domain.split(u'.');
    if (labels.size() < 2 || !std::all_of(labels.begin(), labels.end(), isValidDomainLabel))
        return std::nullopt;
    return email.toLower();
}

bool isValidDisplayName(const QString &name)
{
    const qsizetype length = codePointLength(name);
    return length >= 1 && length <= AccountLimits::DisplayNameMaxLength && !name.trimmed().isEmpty()
            && !hasControlCharacters(name);
}

QJsonObject SignupRequest::toJson() const
{
    return { { EmailField, email },
             { PasswordField, password },
             { DisplayNameField, displayName } };
}

std::optional<SignupRequest> SignupRequest::fromJson(const QJsonObject &json, FieldErrors *errors)
{
    JsonFieldReader reader(json);
    SignupRequest request;
    request.email = readAccountEmail(reader, Presence::Required).value_or(QString());
    request.password
            = readNewPassword(reader, PasswordField, Presence::Required).value_or(QString());
    request.displayName = readAccountDisplayName(reader, Presence::Required).value_or(QString());
    return reader.conclude(request, errors);
}

QJsonObject LoginRequest::toJson() const
{
    return { { EmailField, email }, { PasswordField, password } };
}

std::optional<LoginRequest> LoginRequest::fromJson(const QJsonObject &json, FieldErrors *errors)
{
    JsonFieldReader reader(json);
    LoginRequest request;
    // No shape check beyond length: a login with a malformed address simply fails to match,
    // with the same answer as any other unknown address.
    const auto email
            = reader.string(EmailField, Presence::Required, AccountLimits::EmailMaxLength, 1);
    request.email = email ? normalizeEmail(*email).value_or(*email) : QString();
    request.password
            = reader.string(PasswordField, Presence::Required, AccountLimits::PasswordMaxLength, 1)
                      .value_or(QString());
    return reader.conclude(request, errors);
}

QJsonObject RefreshTokenRequest::toJson() const
{
    return { { u"refresh_token"_s, refreshToken } };
}

std::optional<RefreshTokenRequest> RefreshTokenRequest::fromJson(const QJsonObject &json,
                                                                 FieldErrors *errors)
{
    JsonFieldReader reader(json);
    RefreshTokenRequest request;
    request.refreshToken
            = reader.string(u"refresh_token"_s, Presence::Required, 256, 1).value_or(QString());
    return reader.conclude(request, errors);
}

QJsonObject AccountTokenRequest::toJson() const
{
    QJsonObject json{ { u"token"_s, token } };
    if (!password.isEmpty())
        json.insert(PasswordField, password);
    return json;
}

std::optional<AccountTokenRequest>
AccountTokenRequest::fromJson(const QJsonObject &json, bool withPassword, FieldErrors *errors)
{
    JsonFieldReader reader(json);
    AccountTokenRequest request;
    request.token = reader.string(u"token"_s, Presence::Required, 256, 1).value_or(QString());
    if (withPassword)
        request.password
                = readNewPassword(reader, PasswordField, Presence::Required).value_or(QString());
    return reader.conclude(request, errors);
}

QJsonObject ForgotPasswordRequest::toJson() const
{
    return { { EmailField, email } };
}

std::optional<ForgotPasswordRequest> ForgotPasswordRequest::fromJson(const QJsonObject &json,
                                                                     FieldErrors *errors)
{
    JsonFieldReader reader(json);
    ForgotPasswordRequest request;
    const auto email
            = reader.string(EmailField, Presence::Required, AccountLimits::EmailMaxLength, 1);
    request.email = email ? normalizeEmail(*email).value_or(*email) : QString();
    return reader.conclude(request, errors);
}

QJsonObject UpdateMeRequest::toJson() const
{
    QJsonObject json;
    if (displayName)
        json.insert(DisplayNameField, *displayName);
    if (email)
        json.insert(EmailField, *email);
    if (newPassword)
        json.insert(PasswordField, *newPassword);
    if (currentPassword)
        json.insert(u"current_password"_s, *currentPassword);
    if (timeZone)
        json.insert(u"time_zone"_s, *timeZone);
    if (language)
        json.insert(u"language"_s, *language);
    if (bio)
        json.insert(u"bio"_s, *bio);
    if (phone)
        json.insert(u"phone"_s, *phone);
    if (locale)
        json.insert(u"locale"_s, *locale);
    return json;
}

std::optional<UpdateMeRequest> UpdateMeRequest::fromJson(const QJsonObject &json,
                                                         FieldErrors *errors)
{
    JsonFieldReader reader(json);
    UpdateMeRequest request;
    request.displayName = readAccountDisplayName(reader, Presence::Optional);
    request.email = readAccountEmail(reader, Presence::Optional);
    request.newPassword = readNewPassword(reader, PasswordField, Presence::Optional);
    request.currentPassword = reader.string(u"current_password"_s, Presence::Optional,
                                            AccountLimits::PasswordMaxLength, 1);
    request.timeZone = reader.string(u"time_zone"_s, Presence::Optional,
                                     AccountLimits::TimeZoneMaxLength, 1);
    request.language = reader.string(u"language"_s, Presence::Optional, 10, 1);
    if (request.language && !isSupportedLanguage(*request.language)) {
        reader.addError(u"language"_s, u"invalid_value"_s, u"This must be en or de."_s);
        request.language.reset();
    }
    request.bio = reader.string(u"bio"_s, Presence::Optional, AccountLimits::BioMaxLength);
    if (request.bio && !isValidBio(*request.bio)) {
        reader.addError(u"bio"_s, u"invalid_format"_s,
                        u"A bio may hold line breaks and tabs, but no other control "
                        "characters."_s);
        request.bio.reset();
    }
    if (const auto phone = reader.string(u"phone"_s, Presence::Optional, 32)) {
        request.phone = phone->isEmpty() ? std::optional(QString()) : normalizeContactPhone(*phone);
        if (!request.phone)
            reader.addError(u"phone"_s, u"invalid_format"_s,
                            u"This is not a phone number in international form, such as "
                            "+49 30 1234567 (empty removes it)."_s);
    }
    if (const auto locale
        = reader.string(u"locale"_s, Presence::Optional, AccountLimits::LocaleMaxLength, 1)) {
        request.locale = normalizeLocale(*locale);
        if (!request.locale)
            reader.addError(u"locale"_s, u"invalid_value"_s,
                            u"This is not a locale this server knows, such as en, de or de-AT."_s);
    }
    request.triesToChangeRole = reader.contains(u"role"_s);
    reader.markKnown(u"role"_s);
    if ((request.email || request.newPassword) && !request.currentPassword
        && !reader.hasErrorFor(u"current_password"_s))
        reader.addError(
                u"current_password"_s, u"required"_s,
                u"Changing the email address or the password needs the current password."_s);
    return reader.conclude(request, errors);
}

} // namespace Tasklane
