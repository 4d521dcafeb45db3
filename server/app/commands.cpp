#include "commands.h"

#include "apierror.h"
#include "authrequests.h"
#include "authservice.h"
#include "databaseerror.h"
#include "jobqueue.h"
#include "jsonlog.h"
#include "migrator.h"
#include "realtimehub.h"
#include "router.h"
#include "serverapp.h"
#include "settings.h"
#include "signalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QProcessEnvironment>

#include <cstdio>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace Tasklane {

namespace {

enum ExitCode { Success = 0, Failure = 1, UsageError = 2 };

void printError(const QString &message)
{
    std::fprintf(stderr, "tasklaned: %s\n", qUtf8Printable(message));
}

QString description()
{
    return u"Tasklane server: a multi-user task manager's REST API.\n\n"
           "Commands:\n"
           "  serve                 Apply pending migrations and serve HTTP (the default).\n"
           "  migrate               Apply pending database migrations, then exit.\n"
           "  user create --email E --role admin|manager|user [--display-name N]\n"
           "                        Create an account; the password is read from stdin.\n"
           "  routes                Print every HTTP route as JSON.\n"
           "  jobs list [--status S] [--kind K] [--limit N]\n"
           "                        Print background jobs, newest first, one JSON object a "
           "line.\n"
           "  jobs retry ID         Queue a dead job again (a running server takes it within\n"
           "                        job_lease_seconds).\n\n"_s
            + SettingsLoader::helpText();
}

int serve(ServerApp &app)
{
    // Watch for SIGTERM/SIGINT before anything else: a signal that arrives while migrations run
    // or right after the URL is printed waits for the event loop instead of killing the process.
    SignalWatcher signals;
    QObject::connect(&signals, &SignalWatcher::terminationRequested, &app, [&app](int number) {
        qCInfo(lcServer, "received signal %d", number);
        app.stop();
    });
    app.openStorage(true);
    app.buildServices();
    if (!app.startServing())
        return Failure;
    return QCoreApplication::exec();
}

int migrate(ServerApp &app)
{
    app.openStorage(true);
    std::printf("schema version %d\n", Migrator(app.database()).currentVersion());
    return Success;
}

int createUser(ServerApp &app, const QCommandLineParser &parser)
{
    const auto email = normalizeEmail(parser.value(u"email"_s));
    const auto role = roleFromString(parser.value(u"role"_s));
    if (!email || !role) {
        printError(u"user create needs --email ADDRESS and --role admin|manager|user"_s);
        return UsageError;
    }
    const QString displayName = parser.isSet(u"display-name"_s) ? parser.value(u"display-name"_s)
                                                                : email->left(email->indexOf(u'@'));
    if (!isValidDisplayName(displayName)) {
        printError(u"the display name must be 1 to 100 visible characters"_s);
        return UsageError;
    }
    QFile input;
    if (!input.open(stdin, QIODevice::ReadOnly)) {
        printError(u"cannot read the password from stdin"_s);
        return UsageError;
    }
    QString password = QString::fromUtf8(input.readAll());
    if (password.endsWith(u'\n'))
        password.chop(1);
    if (password.endsWith(u'\r'))
        password.chop(1);
    const qsizetype length = password.toUcs4().size();
    if (length < AccountLimits::PasswordMinLength || length > AccountLimits::PasswordMaxLength) {
        printError(u"the password (from stdin) must be 12 to 128 characters"_s);
        return UsageError;
    }
    app.openStorage(true);
    app.buildServices();
    try {
        const User user = app.auth().createUser(*email, displayName, password, *role);
        std::printf("%s\n",
                    QJsonDocument(user.toJson()).toJson(QJsonDocument::Compact).constData());
        return Success;
    } catch (const ApiError &error) {
        printError(error.detail());
        for (const FieldError &field : error.errors())
            printError(u"%1: %2"_s.arg(field.field, field.message));
        return Failure;
    }
}

int printRoutes(ServerApp &app)
{
    app.openStorage(false);
    app.buildServices(ServerApp::SigningKey::Throwaway);
    RouteTable routes;
    app.registerRoutes(routes);
    QJsonArray list;
    for (const Route &route : routes.routes()) {
        list.append(QJsonObject{
                { u"method"_s, QString::fromLatin1(route.method) },
                { u"path"_s, route.path },
                { u"authenticated"_s, route.access.authenticated },
                { u"minimum_role"_s, roleToString(route.access.minimumRole) },
                { u"executor"_s, executorName(route.executor) },
                { u"max_body_bytes"_s,
                  route.maxBodyBytes > 0 ? route.maxBodyBytes : app.maxBodyBytes() } });
    }
    // Served by the real-time layer, which the connection guard hands them to.
    for (const char *path : { RealtimeHub::WebSocketPath, RealtimeHub::EventStreamPath }) {
        list.append(QJsonObject{ { u"method"_s, u"GET"_s },
                                 { u"path"_s, QString::fromLatin1(path) },
                                 { u"authenticated"_s, true },
                                 { u"minimum_role"_s, roleToString(Role::User) },
                                 { u"executor"_s, u"realtime"_s },
                                 { u"max_body_bytes"_s, 0 } });
    }
    std::printf("%s\n", QJsonDocument(list).toJson(QJsonDocument::Indented).constData());
    return Success;
}

int jobsCommand(ServerApp &app, const QCommandLineParser &parser, const QStringList &command)
{
    app.openStorage(true);
    app.buildServices(ServerApp::SigningKey::Throwaway);
    const auto print = [](const Job &job) {
        std::printf("%s\n", QJsonDocument(job.toJson()).toJson(QJsonDocument::Compact).constData());
    };
    if (command.at(1) == u"list") {
        std::optional<JobStatus> status;
        if (parser.isSet(u"status"_s)) {
            status = jobStatusFromString(parser.value(u"status"_s));
            if (!status) {
                printError(u"--status is one of queued, running, done, dead"_s);
                return UsageError;
            }
        }
        bool ok = true;
        const int limit = parser.isSet(u"limit"_s) ? parser.value(u"limit"_s).toInt(&ok) : 50;
        if (!ok || limit < 1 || limit > 10'000) {
            printError(u"--limit is a whole number from 1 to 10000"_s);
            return UsageError;
        }
        const QList<Job> jobs = app.jobs().list(status, parser.value(u"kind"_s), 0, limit);
        for (const Job &job : jobs)
            print(job);
        return Success;
    }
    bool ok = false;
    const qint64 id = command.at(2).toLongLong(&ok);
    if (!ok || id < 1) {
        printError(u"jobs retry needs a job's id"_s);
        return UsageError;
    }
    using Result = JobRepository::RetryResult;
    Job retried;
    switch (app.jobs().retry(id, &retried)) {
    case Result::Retried: print(retried); return Success;
    case Result::NotFound: printError(u"no job %1"_s.arg(id)); return Failure;
    case Result::NotDead:
        printError(u"job %1 is %2: only dead jobs are retried"_s.arg(id).arg(
                jobStatusToString(app.jobs().find(id)->status)));
        return Failure;
    case Result::KeyTaken:
        printError(
                u"job %1 is not queued again: another pending job holds its key (%2)"_s.arg(id).arg(
                        app.jobs().find(id)->key));
        return Failure;
    }
    return Failure;
}

} // namespace

int runTasklaned(QCoreApplication &application)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(description());
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
            u"command"_s, u"serve (default), migrate, user create, routes, jobs"_s, u"[command]"_s);
    SettingsLoader::addOptions(parser);
    parser.addOption({ u"email"_s, u"user create: the account's email address."_s, u"E"_s });
    parser.addOption({ u"role"_s, u"user create: admin, manager or user."_s, u"ROLE"_s });
    parser.addOption({ u"display-name"_s, u"user create: the account's display name."_s, u"N"_s });
    parser.addOption({ u"status"_s, u"jobs list: only jobs in this state."_s, u"S"_s });
    parser.addOption({ u"kind"_s, u"jobs list: only jobs of this kind."_s, u"K"_s });
    parser.addOption({ u"limit"_s, u"jobs list: at most this many (50)."_s, u"N"_s });
    parser.process(application);

    const QStringList command = parser.positionalArguments();
    const QString verb = command.value(0, u"serve"_s);
    const bool known = (verb == u"serve" && command.size() <= 1)
            || (verb == u"migrate" && command.size() == 1)
            || (verb == u"routes" && command.size() == 1)
            || (verb == u"user" && command.size() == 2 && command.at(1) == u"create")
            || (verb == u"jobs" && command.size() == 2 && command.at(1) == u"list")
            || (verb == u"jobs" && command.size() == 3 && command.at(1) == u"retry");
    if (!known) {
        printError(u"unknown command: %1 (see --help)"_s.arg(command.join(u' ')));
        return UsageError;
    }

    QStringList errors;
    const auto settings
            = SettingsLoader::load(parser, QProcessEnvironment::systemEnvironment(), &errors);
    if (!settings) {
        for (const QString &error : std::as_const(errors))
            printError(error);
        return UsageError;
    }
    JsonLog::Level level = JsonLog::Level::Info;
    JsonLog::parseLevel(settings->logLevel, &level);
    JsonLog::install(level);

    try {
        ServerApp app(*settings);
        if (verb == u"migrate")
            return migrate(app);
        if (verb == u"user")
            return createUser(app, parser);
        if (verb == u"routes")
            return printRoutes(app);
        if (verb == u"jobs")
            return jobsCommand(app, parser, command);
        return serve(app);
    } catch (const DatabaseError &error) {
        qCCritical(lcServer, "%s", error.what());
        printError(error.message());
        return Failure;
    } catch (const std::exception &error) {
        qCCritical(lcServer, "%s", error.what());
        printError(QString::fromUtf8(error.what()));
        return Failure;
    }
}

} // namespace Tasklane
