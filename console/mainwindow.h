#pragma once

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QPushButton;

namespace Tasklane {

class ApiClient;

// The console's main window. For now it knows which server it administers and can check that
// the server is up and ready; users, logs and task oversight come with the console's own issue.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    QString serverUrl() const;
    void setServerUrl(const QString &url);

public Q_SLOTS:
    // Asks the server's /readyz and shows the answer in the status bar.
    void checkServer();

private:
    void showAbout();

    QLineEdit *m_serverUrl;
    QPushButton *m_checkButton;
    QLabel *m_serverState;
    ApiClient *m_client = nullptr;
};

} // namespace Tasklane
