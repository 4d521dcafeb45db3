<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>Tasklane::MainWindow</name>
    <message>
        <location filename="../console/mainwindow.cpp" line="21"/>
        <source>Check server</source>
        <translation>Server prüfen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="22"/>
        <source>Not checked yet.</source>
        <translation>Noch nicht geprüft.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="24"/>
        <source>Tasklane Console</source>
        <translation>Tasklane-Konsole</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="30"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="31"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="34"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="35"/>
        <source>&amp;About Tasklane Console</source>
        <translation>Ü&amp;ber die Tasklane-Konsole</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="40"/>
        <source>Server:</source>
        <translation>Server:</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="42"/>
        <source>State:</source>
        <translation>Zustand:</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="47"/>
        <location filename="../console/mainwindow.cpp" line="86"/>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="70"/>
        <source>That is not an http(s) URL.</source>
        <translation>Das ist keine http(s)-URL.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="76"/>
        <source>Checking…</source>
        <translation>Wird geprüft …</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="81"/>
        <source>Ready (schema version %1).</source>
        <translation>Bereit (Schemaversion %1).</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="83"/>
        <source>Server ready</source>
        <translation>Server bereit</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="85"/>
        <source>Unreachable: %1</source>
        <translation>Nicht erreichbar: %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="89"/>
        <source>Not ready: %1</source>
        <translation>Nicht bereit: %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="92"/>
        <source>Server not ready</source>
        <translation>Server nicht bereit</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="99"/>
        <source>About Tasklane Console</source>
        <translation>Über die Tasklane-Konsole</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="100"/>
        <source>Tasklane Console %1
Administration of a Tasklane server.</source>
        <translation>Tasklane-Konsole %1
Verwaltung eines Tasklane-Servers.</translation>
    </message>
</context>
</TS>
