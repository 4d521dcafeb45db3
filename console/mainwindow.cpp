#include "mainwindow.h"

#include "apiclient.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Tasklane {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_serverUrl(new QLineEdit(u"http://127.0.0.1:8080"_s)),
      m_checkButton(new QPushButton(tr("Check server"))),
      m_serverState(new QLabel(tr("Not checked yet.")))
{
    setWindowTitle(tr("Tasklane Console"));
    setObjectName(u"mainWindow"_s);
    m_serverUrl->setObjectName(u"serverUrl"_s);
    m_checkButton->setObjectName(u"checkServer"_s);
    m_serverState->setObjectName(u"serverState"_s);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(u"quitAction"_s);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Tasklane Console"), this, &MainWindow::showAbout);
    about->setObjectName(u"aboutAction"_s);

    auto *central = new QWidget;
    auto *form = new QFormLayout;
    form->addRow(tr("Server:"), m_serverUrl);
    form->addRow(QString(), m_checkButton);
    form->addRow(tr("State:"), m_serverState);
    auto *layout = new QVBoxLayout(central);
    layout->addLayout(form);
    layout->addStretch();
    setCentralWidget(central);
    statusBar()->showMessage(tr("Not connected"));
    resize(640, 400);

    connect(m_checkButton, &QPushButton::clicked, this, &MainWindow::checkServer);
}

MainWindow::~MainWindow() = default;

QString MainWindow::serverUrl() const
{
    return m_serverUrl->text().trimmed();
}

void MainWindow::setServerUrl(const QString &url)
{
    m_serverUrl->setText(url);
}

void MainWindow::checkServer()
{
    const QUrl url(serverUrl(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https")
        || url.host().isEmpty()) {
        m_serverState->setText(tr("That is not an http(s) URL."));
        return;
    }
    delete m_client;
    m_client = new ApiClient(url, this);
    m_checkButton->setEnabled(false);
    m_serverState->setText(tr("Checking…"));
    ApiReply *reply = m_client->send("GET", u"/readyz"_s);
    connect(reply, &ApiReply::finished, this, [this, reply] {
        m_checkButton->setEnabled(true);
        if (reply->status() == 200) {
            m_serverState->setText(tr("Ready (schema version %1).")
                                           .arg(reply->json().value(u"schema_version"_s).toInt()));
            statusBar()->showMessage(tr("Server ready"));
        } else if (reply->status() == 0) {
            m_serverState->setText(tr("Unreachable: %1").arg(reply->errorString()));
            statusBar()->showMessage(tr("Not connected"));
        } else {
            const auto problem = reply->problem();
            m_serverState->setText(
                    tr("Not ready: %1")
                            .arg(problem ? problem->detail : QString::number(reply->status())));
            statusBar()->showMessage(tr("Server not ready"));
        }
    });
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Tasklane Console"),
                       tr("Tasklane Console %1\nAdministration of a Tasklane server.")
                               .arg(QStringLiteral(TASKLANE_VERSION)));
}

} // namespace Tasklane
