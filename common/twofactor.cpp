#include "twofactor.h"

#include "authrequests.h"
#include "jsonfieldreader.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

using Presence = JsonFieldReader::Presence;

const QString PasswordField = u"password"_s;
const QString CodeField = u"code"_s;
const QString RecoveryCodeField = u"recovery_code"_s;
constexpr qsizetype TotpDigits = 6;
constexpr qsizetype RecoveryCodeLength = 16;
// Room for what people paste: spaces, hyphens, a stray newline.
constexpr qsizetype TypedCodeMaxLength = 64;

bool isBase32Lower(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'2' && c <= u'7');
}

std::optional<QString> readPassword(JsonFieldReader &reader)
{
    return reader.string(PasswordField, Presence::Required, AccountLimits::PasswordMaxLength, 1);
}

std::optional<QString> readTotpCode(JsonFieldReader &reader, Presence presence)
{
    const auto typed = reader.string(CodeField, presence, TypedCodeMaxLength, 1);
    if (!typed)
        return std::nullopt;
    auto code = normalizeTotpCode(*typed);
    if (!code)
        reader.addError(CodeField, u"invalid_format"_s, u"An authenticator code is six digits."_s);
    return code;
}

// `code` or `recovery_code`, exactly one.
std::optional<SecondFactor> readSecondFactor(JsonFieldReader &reader)
{
    const bool hasCode = reader.contains(CodeField);
    const bool hasRecovery = reader.contains(RecoveryCodeField);
    if (hasCode == hasRecovery) {
        reader.markKnown(CodeField);
        reader.markKnown(RecoveryCodeField);
        if (hasCode)
            reader.addError(RecoveryCodeField, u"conflict"_s,
                            u"Give either code or recovery_code, not both."_s);
        else
            reader.addError(CodeField, u"required"_s,
                            u"Give code (from the authenticator) or recovery_code."_s);
        return std::nullopt;
    }
    if (hasCode) {
        const auto code = readTotpCode(reader, Presence::Required);
        return code ? std::optional(SecondFactor{ SecondFactor::Kind::Totp, *code }) : std::nullopt;
    }
    const auto typed = reader.string(RecoveryCodeField, Presence::Required, TypedCodeMaxLength, 1);
    if (!typed)
        return std::nullopt;
    const auto code = normalizeRecoveryCode(*typed);
    if (!code) {
        reader.addError(RecoveryCodeField, u"invalid_format"_s,
                        u"A recovery code is sixteen letters and digits, such as "
                        "7k2m-qaxd-4hpt-w3ne."_s);
        return std::nullopt;
    }
    return SecondFactor{ SecondFactor::Kind::RecoveryCode, *code };
}

void writeSecondFactor(QJsonObject &json, const SecondFactor &factor)
{
    if (factor.kind == SecondFactor::Kind::Totp)
        json.insert(CodeField, factor.value);
    else
        json.insert(RecoveryCodeField, formatRecoveryCode(factor.value));
}

} // namespace

std::optional<QString> normalizeTotpCode(const QString &text)
{
    QString digits;
    for (const QChar c : text) {
        if (c == u' ')
            continue;
        if (c < u'0' || c > u'9')
            return std::nullopt;
        digits += c;
    }
    if (digits.size() != TotpDigits)
        return std::nullopt;
    return digits;
}

std::optional<QString> normalizeRecoveryCode(const QString &text)
{
    QString code;
    for (const QChar c : text) {
        if (c == u' ' || c == u'-')
            continue;
        const QChar lower = c.toLower();
        if (!isBase32Lower(lower))
            return std::nullopt;
        code += lower;
    }
    if (code.size() != RecoveryCodeLength)
        return std::nullopt;
    return code;
}

QString formatRecoveryCode(const QString &normalized)
{
    QString shown;
    for (qsizetype i = 0; i < normalized.size(); i += 4) {
        if (i > 0)
            shown += u'-';
        shown += normalized.mid(i, 4);
    }
    return shown;
}

QJsonObject EnableTwoFactorRequest::toJson() const
{
    return { { PasswordField, password } };
}

std::optional<EnableTwoFactorRequest> EnableTwoFactorRequest::fromJson(const QJsonObject &json,
                                                                       FieldErrors *errors)
{
    JsonFieldReader reader(json);
    EnableTwoFactorRequest request;
    request.password = readPassword(reader).value_or(QString());
    return reader.conclude(request, errors);
}

QJsonObject ConfirmTwoFactorRequest::toJson() const
{
    return { { CodeField, code } };
}

std::optional<ConfirmTwoFactorRequest> ConfirmTwoFactorRequest::fromJson(const QJsonObject &json,
                                                                         FieldErrors *errors)
{
    JsonFieldReader reader(json);
    ConfirmTwoFactorRequest request;
    request.code = readTotpCode(reader, Presence::Required).value_or(QString());
    return reader.conclude(request, errors);
}

QJsonObject TwoFactorProofRequest::toJson() const
{
    QJsonObject json{ { PasswordField, password } };
    writeSecondFactor(json, factor);
    return json;
}

std::optional<TwoFactorProofRequest> TwoFactorProofRequest::fromJson(const QJsonObject &json,
                                                                     FieldErrors *errors)
{
    JsonFieldReader reader(json);
    TwoFactorProofRequest request;
    request.password = readPassword(reader).value_or(QString());
    request.factor = readSecondFactor(reader).value_or(SecondFactor());
    return reader.conclude(request, errors);
}

QJsonObject AccountClosureRequest::toJson() const
{
    QJsonObject json{ { PasswordField, password } };
    if (factor)
        writeSecondFactor(json, *factor);
    return json;
}

std::optional<AccountClosureRequest> AccountClosureRequest::fromJson(const QJsonObject &json,
                                                                     FieldErrors *errors)
{
    JsonFieldReader reader(json);
    AccountClosureRequest request;
    request.password = readPassword(reader).value_or(QString());
    if (reader.contains(CodeField) || reader.contains(RecoveryCodeField))
        request.factor = readSecondFactor(reader);
    return reader.conclude(request, errors);
}

QJsonObject SecondFactorLoginRequest::toJson() const
{
    QJsonObject json{ { u"mfa_token"_s, mfaToken } };
    writeSecondFactor(json, factor);
    return json;
}

std::optional<SecondFactorLoginRequest> SecondFactorLoginRequest::fromJson(const QJsonObject &json,
                                                                           FieldErrors *errors)
{
    JsonFieldReader reader(json);
    SecondFactorLoginRequest request;
    // Anything of a token's length is taken: a wrong one simply matches nothing.
    request.mfaToken
            = reader.string(u"mfa_token"_s, Presence::Required, 256, 1).value_or(QString());
    request.factor = readSecondFactor(reader).value_or(SecondFactor());
    return reader.conclude(request, errors);
}

QJsonObject TwoFactorSetup::toJson() const
{
    return { { u"secret"_s, secret }, { u"otpauth_uri"_s, otpauthUri }, { u"qr_svg"_s, qrSvg } };
}

std::optional<TwoFactorSetup> TwoFactorSetup::fromJson(const QJsonObject &json)
{
    if (!json.value(u"secret"_s).isString() || !json.value(u"otpauth_uri"_s).isString()
        || !json.value(u"qr_svg"_s).isString())
        return std::nullopt;
    return TwoFactorSetup{ json.value(u"secret"_s).toString(),
                           json.value(u"otpauth_uri"_s).toString(),
                           json.value(u"qr_svg"_s).toString() };
}

QJsonObject RecoveryCodes::toJson() const
{
    return { { u"recovery_codes"_s, QJsonArray::fromStringList(codes) } };
}

std::optional<RecoveryCodes> RecoveryCodes::fromJson(const QJsonObject &json)
{
    const QJsonValue list = json.value(u"recovery_codes"_s);
    if (!list.isArray())
        return std::nullopt;
    RecoveryCodes result;
    for (const QJsonValue &code : list.toArray()) {
        if (!code.isString())
            return std::nullopt;
        result.codes.append(code.toString());
    }
    return result;
}

QJsonObject MfaChallenge::toJson() const
{
    return { { u"mfa_required"_s, true },
             { u"mfa_token"_s, mfaToken },
             { u"expires_in"_s, expiresIn } };
}

std::optional<MfaChallenge> MfaChallenge::fromJson(const QJsonObject &json)
{
    if (json.value(u"mfa_required"_s) != QJsonValue(true) || !json.value(u"mfa_token"_s).isString()
        || !json.value(u"expires_in"_s).isDouble())
        return std::nullopt;
    return MfaChallenge{ json.value(u"mfa_token"_s).toString(),
                         json.value(u"expires_in"_s).toInteger() };
}

} // namespace Tasklane
