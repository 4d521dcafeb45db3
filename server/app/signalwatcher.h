#pragma once

#include <QObject>
#include <QSocketNotifier>

namespace Tasklane {

// Turns SIGTERM and SIGINT into a Qt signal on the event loop (self-pipe: the handler only
// writes a byte).
class SignalWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalWatcher)

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Tasklane
