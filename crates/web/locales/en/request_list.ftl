# The consultant's consultation requests (/requests) in the list pattern.
rq-list-search = Employee
rq-list-search-help = Search by part of the name, reading or employee number.
rq-list-status = Status
rq-list-col-number = Employee number
rq-list-col-name = Name
rq-list-col-to = Addressed to
rq-list-empty = There are no consultation requests yet.
rq-list-empty-filtered = No requests match. Try other words or another status.
