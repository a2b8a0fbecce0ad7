# Printing the individual report and the interview page.
print-button = Print
print-confidential = Confidential: sensitive personal information
print-consultant = Career consultant
print-notes = Interview notes
