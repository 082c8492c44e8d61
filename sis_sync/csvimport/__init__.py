"""CSV import of students, contacts and staff who are not in the SIS."""
