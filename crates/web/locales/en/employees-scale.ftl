# The department filter of a company with many departments (the top two levels, and the chosen branch)
employees-department-drill-down = With this many departments, sections appear once you choose the department above them and search.
