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
    <message>
        <source>Someone</source>
        <translation>Jemand</translation>
    </message>
    <message>
        <source>Due soon: %1</source>
        <translation>Bald fällig: %1</translation>
    </message>
    <message>
        <source>this task is due soon:</source>
        <translation>diese Aufgabe ist bald fällig:</translation>
    </message>
    <message>
        <source>Overdue: %1</source>
        <translation>Überfällig: %1</translation>
    </message>
    <message>
        <source>this task is overdue:</source>
        <translation>diese Aufgabe ist überfällig:</translation>
    </message>
    <message>
        <source>Shared with you: %1</source>
        <translation>Mit Ihnen geteilt: %1</translation>
    </message>
    <message>
        <source>%1 shared this task with you:</source>
        <translation>%1 hat diese Aufgabe mit Ihnen geteilt:</translation>
    </message>
    <message>
        <source>Changed: %1</source>
        <translation>Geändert: %1</translation>
    </message>
    <message>
        <source>%1 changed this task (%2):</source>
        <translation>%1 hat diese Aufgabe geändert (%2):</translation>
    </message>
    <message>
        <source>Unblocked: %1</source>
        <translation>Nicht mehr blockiert: %1</translation>
    </message>
    <message>
        <source>a task this one waited for is done (%1):</source>
        <translation>eine Aufgabe, auf die diese gewartet hat, ist erledigt (%1):</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Überfällig</translation>
    </message>
    <message>
        <source>Due today</source>
        <translation>Heute fällig</translation>
    </message>
    <message>
        <source>Since your last digest</source>
        <translation>Seit Ihrer letzten Übersicht</translation>
    </message>
    <message>
        <source>Your tasks for %1</source>
        <translation>Ihre Aufgaben für %1</translation>
    </message>
    <message>
        <source>here is your daily digest.</source>
        <translation>hier ist Ihre tägliche Übersicht.</translation>
    </message>
    <message>
        <source>Your Tasklane code is %1. It expires in 10 minutes.</source>
        <translation>Ihr Tasklane-Code lautet %1. Er läuft in 10 Minuten ab.</translation>
    </message>
</context>
</TS>
