# The department filter of a company with many departments (the top two levels, and the chosen branch)
employees-department-help-drill-down = Shows the chosen department and all departments under it. With this many departments, sections appear once you choose the department above them and search.
