# The account list (/admin/users) in the list pattern.
admin-users-search = Account
admin-users-search-help = Search by part of the login ID or display name.
admin-users-filter-role = Role
admin-users-filter-state = Access
admin-users-state-enabled = Enabled
admin-users-state-disabled = Disabled
admin-users-col-created = Created
admin-users-empty = There are no accounts yet. You can create one with the form below.
admin-users-empty-filtered = No accounts match. Try other words, another role or access.
