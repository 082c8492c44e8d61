"""The kiosk's pages (an enrolled device, no login), its enrolment link, and the front desk (staff login)."""
