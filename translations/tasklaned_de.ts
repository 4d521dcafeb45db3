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
    <message>
        <source>Confirm your email address</source>
        <translation>Bestätigen Sie Ihre E-Mail-Adresse</translation>
    </message>
    <message>
        <source>please confirm that this is your email address for Tasklane by opening the link below. It works once, for 24 hours.</source>
        <translation>bitte bestätigen Sie, dass dies Ihre E-Mail-Adresse für Tasklane ist, indem Sie den folgenden Link öffnen. Er funktioniert einmal, 24 Stunden lang.</translation>
    </message>
    <message>
        <source>Confirm the address</source>
        <translation>Adresse bestätigen</translation>
    </message>
    <message>
        <source>If you did not ask for this, ignore this message.</source>
        <translation>Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht.</translation>
    </message>
    <message>
        <source>Reset your Tasklane password</source>
        <translation>Ihr Tasklane-Passwort zurücksetzen</translation>
    </message>
    <message>
        <source>someone asked to reset the password of your Tasklane account. To choose a new one, open the link below. It works once, for one hour.</source>
        <translation>jemand hat angefordert, das Passwort Ihres Tasklane-Kontos zurückzusetzen. Um ein neues zu wählen, öffnen Sie den folgenden Link. Er funktioniert einmal, eine Stunde lang.</translation>
    </message>
    <message>
        <source>Choose a new password</source>
        <translation>Neues Passwort wählen</translation>
    </message>
    <message>
        <source>If you did not ask for this, ignore this message: your password stays as it is.</source>
        <translation>Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.</translation>
    </message>
    <message>
        <source>Someone tried to sign up with your address</source>
        <translation>Jemand wollte sich mit Ihrer Adresse registrieren</translation>
    </message>
    <message>
        <source>someone tried to create a Tasklane account with this email address, which has an account already. If it was you, sign in, or reset your password if you have forgotten it:</source>
        <translation>jemand wollte mit dieser E-Mail-Adresse ein Tasklane-Konto anlegen, doch zu ihr gibt es schon ein Konto. Wenn Sie es waren, melden Sie sich an, oder setzen Sie Ihr Passwort zurück, falls Sie es vergessen haben:</translation>
    </message>
    <message>
        <source>Reset the password</source>
        <translation>Passwort zurücksetzen</translation>
    </message>
    <message>
        <source>If it was not you, ignore this message; nothing changed.</source>
        <translation>Wenn Sie es nicht waren, ignorieren Sie diese Nachricht; es hat sich nichts geändert.</translation>
    </message>
    <message>
        <source>Your Tasklane email address is changing</source>
        <translation>Ihre Tasklane-E-Mail-Adresse wird geändert</translation>
    </message>
    <message>
        <source>the email address of your Tasklane account is being changed to %1. The change takes effect once that address is confirmed.</source>
        <translation>die E-Mail-Adresse Ihres Tasklane-Kontos wird in %1 geändert. Die Änderung gilt, sobald diese Adresse bestätigt ist.</translation>
    </message>
    <message>
        <source>If you did not ask for this, reset your password at once.</source>
        <translation>Wenn Sie das nicht angefordert haben, setzen Sie Ihr Passwort sofort zurück.</translation>
    </message>
    <message>
        <source>Two-step sign-in is on</source>
        <translation>Die Anmeldung in zwei Schritten ist eingeschaltet</translation>
    </message>
    <message>
        <source>two-step sign-in was turned on for your Tasklane account: signing in now needs a code from your authenticator app as well as your password.</source>
        <translation>für Ihr Tasklane-Konto wurde die Anmeldung in zwei Schritten eingeschaltet: Zum Anmelden brauchen Sie jetzt außer Ihrem Passwort einen Code aus Ihrer Authenticator-App.</translation>
    </message>
    <message>
        <source>If you did not do this, someone has your password: reset it at once and tell your administrator.</source>
        <translation>Wenn Sie das nicht waren, kennt jemand Ihr Passwort: Setzen Sie es sofort zurück und informieren Sie Ihre Administration.</translation>
    </message>
    <message>
        <source>Two-step sign-in is off</source>
        <translation>Die Anmeldung in zwei Schritten ist ausgeschaltet</translation>
    </message>
    <message>
        <source>two-step sign-in was turned off for your Tasklane account: signing in needs only your password now.</source>
        <translation>für Ihr Tasklane-Konto wurde die Anmeldung in zwei Schritten ausgeschaltet: Zum Anmelden genügt jetzt Ihr Passwort.</translation>
    </message>
    <message>
        <source>If you did not do this, someone has your password and a code: reset the password at once and tell your administrator.</source>
        <translation>Wenn Sie das nicht waren, hat jemand Ihr Passwort und einen Code: Setzen Sie das Passwort sofort zurück und informieren Sie Ihre Administration.</translation>
    </message>
    <message>
        <source>Sign-in to your Tasklane account is locked</source>
        <translation>Die Anmeldung an Ihrem Tasklane-Konto ist gesperrt</translation>
    </message>
    <message>
        <source>after repeated failed attempts to sign in to your Tasklane account, signing in is locked for %1 minutes. Then it works again as before; a password reset lifts the lock at once.</source>
        <translation>nach wiederholten fehlgeschlagenen Anmeldeversuchen an Ihrem Tasklane-Konto ist die Anmeldung für %1 Minuten gesperrt. Danach funktioniert sie wieder wie zuvor; ein Zurücksetzen des Passworts hebt die Sperre sofort auf.</translation>
    </message>
    <message>
        <source>If these attempts were not yours, someone may be guessing your password: choose a long one that you use nowhere else.</source>
        <translation>Wenn diese Versuche nicht von Ihnen stammen, versucht vielleicht jemand, Ihr Passwort zu erraten: Wählen Sie ein langes, das Sie nirgends sonst verwenden.</translation>
    </message>
    <message>
        <source>Your Tasklane account is ready</source>
        <translation>Ihr Tasklane-Konto ist bereit</translation>
    </message>
    <message>
        <source>%1 made a Tasklane account for you with this email address. To start, choose your password by opening the link below. It works once, for seven days.</source>
        <translation>%1 hat mit dieser E-Mail-Adresse ein Tasklane-Konto für Sie angelegt. Wählen Sie zuerst Ihr Passwort über den Link unten. Er funktioniert einmal, sieben Tage lang.</translation>
    </message>
    <message>
        <source>Choose your password</source>
        <translation>Passwort wählen</translation>
    </message>
    <message>
        <source>If you did not expect this, ignore this message, or tell your administrator. When the link has expired, ask for a new one with &quot;Forgot password&quot;.</source>
        <translation>Wenn Sie das nicht erwartet haben, ignorieren Sie diese Nachricht oder informieren Sie Ihre Administration. Ist der Link abgelaufen, fordern Sie über „Passwort vergessen“ einen neuen an.</translation>
    </message>
</context>
</TS>
