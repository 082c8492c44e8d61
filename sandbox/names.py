"""Fixed word lists the generator draws from, so a seed always produces the same district.

The names are deliberately diverse and include accents, apostrophes and hyphens: a kiosk that
mangles "Zoë O'Brien-Nuñez" on its search screen should find out in the sandbox, not at a school.
"""

FEMALE_FIRST_NAMES = (
    "Emma", "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Amelia", "Harper", "Evelyn", "Abigail",
    "Zoë", "Chloé", "Renée", "Inés", "María", "Lucía", "Valentina", "Camila", "Ximena", "Sofía",
    "Aaliyah", "Imani", "Nia", "Zuri", "Amara", "Fatima", "Aisha", "Mariam", "Layla", "Noor",
    "Mei", "Yuna", "Hana", "Ji-woo", "Priya", "Ananya", "Saanvi", "Linh", "Thảo", "Anh",
    "Siobhán", "Aoife", "Niamh", "Maëlle", "Léa", "Anaïs", "Björk", "Søren", "Ingrid", "Freya",
    "Grace", "Hannah", "Lily", "Ella", "Nora", "Riley", "Aria", "Scarlett", "Luna", "Stella",
)

MALE_FIRST_NAMES = (
    "Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry", "Theodore",
    "José", "Andrés", "Matías", "Sebastián", "Nicolás", "Joaquín", "Ramón", "Iñaki", "Tomás", "Martín",
    "Jamal", "Malik", "DeShawn", "Kwame", "Tariq", "Omar", "Yusuf", "Ibrahim", "Amir", "Karim",
    "Hiroshi", "Kenji", "Min-jun", "Wei", "Arjun", "Rohan", "Vihaan", "Minh", "Đức", "Bảo",
    "Seán", "Cillian", "Oisín", "Loïc", "Benoît", "François", "Jörg", "Mikael", "Anders", "Lars",
    "Jack", "Owen", "Wyatt", "Caleb", "Isaac", "Ezra", "Miles", "Leo", "Jaxon", "Asher",
)

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez", "Nuñez",
    "O'Brien", "O'Connor", "McCarthy", "Ó Súilleabháin", "D'Angelo", "DeLuca", "Van der Berg", "St. John",
    "Nguyen", "Tran", "Le", "Pham", "Kim", "Park", "Lee", "Chen", "Wang", "Zhang", "Tanaka", "Sato",
    "Patel", "Shah", "Singh", "Kumar", "Gupta", "Khan", "Ahmed", "Hassan", "Ali", "Haddad",
    "Okafor", "Adeyemi", "Mensah", "Diallo", "Mbeki", "Washington", "Jackson", "Robinson", "Harris", "Thompson",
    "Müller", "Schröder", "Björnsson", "Løvberg", "Dubois", "Lefèvre", "Moreau", "Rossi", "Bianchi", "Kowalski",
    "Smith-Jones", "García-López", "Martin", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright",
)

STREET_NAMES = (
    "Elm", "Oak", "Maple", "Cedar", "Pine", "Birch", "Willow", "Chestnut", "Walnut", "Spruce",
    "Main", "Church", "Mill", "River", "Lake", "Hill", "Park", "Spring", "Union", "Franklin",
    "Highland", "Prospect", "Pleasant", "Summer", "Winter", "Orchard", "Meadow", "Forest", "Ridge", "Valley",
)

STREET_SUFFIXES = ("St", "Ave", "Rd", "Dr", "Ln", "Ct", "Way", "Pl", "Ter", "Blvd")

# Schools are named after these; a district with more schools than names reuses them with a numeral.
SCHOOL_NAMES = (
    "Lincoln", "Washington", "Jefferson", "Roosevelt", "Riverside", "Oak Hill", "Lakeview", "Maple Grove",
    "Harborview", "Cedar Creek", "Pine Ridge", "Brookside", "Fairview", "Hillcrest", "Meadowbrook", "Westwood",
    "Eastgate", "Northfield", "Southside", "Greenwood", "Sunnyside", "Kingsley", "Ellis", "Douglass",
    "Tubman", "Chávez", "Mendez", "Sotomayor", "Earhart", "Carver", "Whitman", "Emerson", "Thoreau", "Alcott",
    "Dickinson", "Hawthorne", "Longfellow", "Franklin", "Adams", "Madison", "Monroe", "Jackson", "Kennedy",
    "Parks", "Keller", "Curie", "Ride", "Johnson", "Hopper", "Lovelace", "Banneker", "Sequoyah", "Tecumseh",
)

CITIES = ("Raptor Falls", "East Raptor Falls", "Cedar Junction", "North Harbor", "Millbrook")

DISTRICT_NAMES = (
    "Raptor Falls Public Schools", "Cedar Valley Unified School District", "North Harbor Regional Schools",
    "Millbrook Consolidated School District",
)

EMPLOYERS = (
    "Raptor Falls General Hospital", "City of Raptor Falls", "Harbor Logistics", "Self-employed", "Cedar Credit Union",
    "Millbrook Public Library", "Northside Dental", "Riverbend Grocery", "State University", "",
)

MEDICAL_ALERTS = (
    "Asthma. Uses rescue inhaler",
    "Severe peanut allergy. EpiPen in the nurse's office",
    "Type 1 diabetes. Checks blood sugar before lunch",
    "Seizure disorder. See the care plan in the nurse's office",
    "Bee sting allergy",
)
