<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>Mail</name>
    <message>
        <source>Reminder (late): %1</source>
        <translation>Erinnerung (verspätet): %1</translation>
    </message>
    <message>
        <source>Reminder: %1</source>
        <translation>Erinnerung: %1</translation>
    </message>
    <message>
        <source>Due: %1</source>
        <translation>Fällig: %1</translation>
    </message>
    <message>
        <source>Hello %1,</source>
        <translation>Hallo %1,</translation>
    </message>
    <message>
        <source>this is your reminder for the task:</source>
        <translation>hier ist Ihre Erinnerung an die Aufgabe:</translation>
    </message>
    <message>
        <source>(Sent late: it was due at %1 UTC, while the server was down.)</source>
        <translation>(Verspätet gesendet: Sie war um %1 UTC fällig, während der Server nicht lief.)</translation>
    </message>
    <message>
        <source>Open it: %1</source>
        <translation>Öffnen: %1</translation>
    </message>
    <message>
        <source>Open it in Tasklane</source>
        <translation>In Tasklane öffnen</translation>
    </message>
</context>
</TS>
