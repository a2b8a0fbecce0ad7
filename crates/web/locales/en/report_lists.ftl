# The report lists (/reports, /cases, /review) in the list pattern.
reports-search = Employee
reports-search-help = Part of the name, its reading or the employee number.
reports-cycle = Cycle
reports-empty-none = No reports yet. Once an interview is marked as held, write its report from the interview's page.
reports-empty-filtered = No reports match these conditions. Try other words or filters.
cases-search = Keyword
cases-search-help = Part of a pseudonym (such as K-AB23-CD45) or of a tag's name. Real names are not searchable.
cases-tag = Tag
cases-period = Period
cases-empty-none = No shared cases yet. Colleagues' reports appear here, pseudonymized, once approved.
cases-empty-filtered = No cases match these conditions. Try other words or tags.
review-queue-empty-none = No reports are waiting for review.
