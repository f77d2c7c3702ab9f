//! The names, places and products the demo data set is made of.

pub const FIRST: &[&str] = &[
    "Anna", "Boris", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Irina", "Jonas", "Karin", "Leo", "Maria",
    "Nikolai", "Olga", "Pavel", "Rita", "Sergei", "Tanja", "Viktor",
];
pub const LAST: &[&str] = &[
    "Andersen",
    "Berzins",
    "Kalnins",
    "Ozols",
    "Petersons",
    "Smith",
    "Ivanova",
    "Liepa",
    "Krumins",
    "Novak",
    "Horvat",
    "Muller",
    "Jansons",
    "Vitola",
    "Egle",
];
pub const CITIES: &[&str] = &["Riga", "Jurmala", "Daugavpils", "Liepaja", "Jelgava"];
pub const STREETS: &[&str] = &[
    "Brivibas iela",
    "Elizabetes iela",
    "Valdemara iela",
    "Lacplesa iela",
    "Tallinas iela",
    "Maskavas iela",
    "Kalnciema iela",
    "Dzirnavu iela",
];
pub const MODELS: &[&str] = &["Hikvision DS-2CD2143", "Dahua IPC-HDW2431", "Axis M3106", "Uniview IPC322"];
pub const TARIFFS: &[&str] = &["Home Basic", "Home Plus", "Business", "Business Pro"];
