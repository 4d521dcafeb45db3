#pragma once

namespace Tasklane {

// Sets TZ to ":/etc/localtime" when it is unset, before any thread exists; a TZ already set is
// left as it is. The zone stays the same; what changes is that glibc no longer looks at the
// file again for every conversion to or from local time.
//
// Why a process-wide setting: with TZ unset, every tzset() (Qt calls it on each local-time
// conversion) stats /etc/localtime to see whether the system's zone changed. Qt 6.4's PostgreSQL
// driver hands every timestamp it reads over as local time, and turning it back into UTC
// converts again, so each timestamp read cost two of those stats: 5.9 us a value against 0.8 us
// with TZ set (50,000 values read in a loop), and a burst of 10,000 reminders reads hundreds of
// thousands. No Qt API makes the driver keep UTC. The cost: a change of the system's time zone is
// seen at the next start; tasklaned keeps its times in UTC and the users' own zones by name.
void pinLocalTimeZone();

} // namespace Tasklane
