# The interview list (/interviews) in the list pattern.
iv-list-heading = Interviews
iv-when-tabs = Which interviews
iv-when-upcoming = Upcoming
iv-when-past = Past
iv-when-all = All
iv-search = Employee
iv-search-help = Part of the name, its reading or the employee number.
iv-past-empty = No past interviews yet.
iv-all-empty = No interviews yet. Schedule one with "Schedule an interview".
iv-list-empty-filtered = No interviews match these conditions. Try other words or another status.
iv-to-report-heading = Held interviews without a report
iv-to-report-help = These interviews were held and have no individual report yet.
iv-to-report-count = ({ $count } in all)
iv-col-report = Individual report
iv-report-write-label = Write the individual report of the interview with { $who }
