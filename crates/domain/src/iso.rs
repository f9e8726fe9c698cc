//! ISO 3166-1 alpha-2 countries and ISO 4217 currencies: the codes a profile
//! may carry and each currency's minor-unit exponent.

/// An officially assigned ISO 3166-1 alpha-2 country code and its common
/// English short name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    /// Two upper-case ASCII letters, e.g. `"US"`.
    pub code: &'static str,
    /// Common English short name, e.g. `"United States"`.
    pub name: &'static str,
}

/// An active ISO 4217 currency and its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// Three upper-case ASCII letters, e.g. `"USD"`.
    pub code: &'static str,
    /// English name, e.g. `"US Dollar"`.
    pub name: &'static str,
    /// Number of decimal digits of the minor unit (`JPY` 0, `USD` 2, `KWD` 3).
    pub minor_units: u8,
}

const fn ct(code: &'static str, name: &'static str) -> Country {
    Country { code, name }
}

const fn cu(code: &'static str, name: &'static str, minor_units: u8) -> Currency {
    Currency {
        code,
        name,
        minor_units,
    }
}

/// All 249 officially assigned ISO 3166-1 alpha-2 codes, sorted by code.
pub static COUNTRIES: &[Country] = &[
    ct("AD", "Andorra"),
    ct("AE", "United Arab Emirates"),
    ct("AF", "Afghanistan"),
    ct("AG", "Antigua and Barbuda"),
    ct("AI", "Anguilla"),
    ct("AL", "Albania"),
    ct("AM", "Armenia"),
    ct("AO", "Angola"),
    ct("AQ", "Antarctica"),
    ct("AR", "Argentina"),
    ct("AS", "American Samoa"),
    ct("AT", "Austria"),
    ct("AU", "Australia"),
    ct("AW", "Aruba"),
    ct("AX", "Åland Islands"),
    ct("AZ", "Azerbaijan"),
    ct("BA", "Bosnia and Herzegovina"),
    ct("BB", "Barbados"),
    ct("BD", "Bangladesh"),
    ct("BE", "Belgium"),
    ct("BF", "Burkina Faso"),
    ct("BG", "Bulgaria"),
    ct("BH", "Bahrain"),
    ct("BI", "Burundi"),
    ct("BJ", "Benin"),
    ct("BL", "Saint Barthélemy"),
    ct("BM", "Bermuda"),
    ct("BN", "Brunei"),
    ct("BO", "Bolivia"),
    ct("BQ", "Caribbean Netherlands"),
    ct("BR", "Brazil"),
    ct("BS", "Bahamas"),
    ct("BT", "Bhutan"),
    ct("BV", "Bouvet Island"),
    ct("BW", "Botswana"),
    ct("BY", "Belarus"),
    ct("BZ", "Belize"),
    ct("CA", "Canada"),
    ct("CC", "Cocos (Keeling) Islands"),
    ct("CD", "DR Congo"),
    ct("CF", "Central African Republic"),
    ct("CG", "Republic of the Congo"),
    ct("CH", "Switzerland"),
    ct("CI", "Côte d'Ivoire"),
    ct("CK", "Cook Islands"),
    ct("CL", "Chile"),
    ct("CM", "Cameroon"),
    ct("CN", "China"),
    ct("CO", "Colombia"),
    ct("CR", "Costa Rica"),
    ct("CU", "Cuba"),
    ct("CV", "Cape Verde"),
    ct("CW", "Curaçao"),
    ct("CX", "Christmas Island"),
    ct("CY", "Cyprus"),
    ct("CZ", "Czechia"),
    ct("DE", "Germany"),
    ct("DJ", "Djibouti"),
    ct("DK", "Denmark"),
    ct("DM", "Dominica"),
    ct("DO", "Dominican Republic"),
    ct("DZ", "Algeria"),
    ct("EC", "Ecuador"),
    ct("EE", "Estonia"),
    ct("EG", "Egypt"),
    ct("EH", "Western Sahara"),
    ct("ER", "Eritrea"),
    ct("ES", "Spain"),
    ct("ET", "Ethiopia"),
    ct("FI", "Finland"),
    ct("FJ", "Fiji"),
    ct("FK", "Falkland Islands"),
    ct("FM", "Micronesia"),
    ct("FO", "Faroe Islands"),
    ct("FR", "France"),
    ct("GA", "Gabon"),
    ct("GB", "United Kingdom"),
    ct("GD", "Grenada"),
    ct("GE", "Georgia"),
    ct("GF", "French Guiana"),
    ct("GG", "Guernsey"),
    ct("GH", "Ghana"),
    ct("GI", "Gibraltar"),
    ct("GL", "Greenland"),
    ct("GM", "Gambia"),
    ct("GN", "Guinea"),
    ct("GP", "Guadeloupe"),
    ct("GQ", "Equatorial Guinea"),
    ct("GR", "Greece"),
    ct("GS", "South Georgia and the South Sandwich Islands"),
    ct("GT", "Guatemala"),
    ct("GU", "Guam"),
    ct("GW", "Guinea-Bissau"),
    ct("GY", "Guyana"),
    ct("HK", "Hong Kong"),
    ct("HM", "Heard Island and McDonald Islands"),
    ct("HN", "Honduras"),
    ct("HR", "Croatia"),
    ct("HT", "Haiti"),
    ct("HU", "Hungary"),
    ct("ID", "Indonesia"),
    ct("IE", "Ireland"),
    ct("IL", "Israel"),
    ct("IM", "Isle of Man"),
    ct("IN", "India"),
    ct("IO", "British Indian Ocean Territory"),
    ct("IQ", "Iraq"),
    ct("IR", "Iran"),
    ct("IS", "Iceland"),
    ct("IT", "Italy"),
    ct("JE", "Jersey"),
    ct("JM", "Jamaica"),
    ct("JO", "Jordan"),
    ct("JP", "Japan"),
    ct("KE", "Kenya"),
    ct("KG", "Kyrgyzstan"),
    ct("KH", "Cambodia"),
    ct("KI", "Kiribati"),
    ct("KM", "Comoros"),
    ct("KN", "Saint Kitts and Nevis"),
    ct("KP", "North Korea"),
    ct("KR", "South Korea"),
    ct("KW", "Kuwait"),
    ct("KY", "Cayman Islands"),
    ct("KZ", "Kazakhstan"),
    ct("LA", "Laos"),
    ct("LB", "Lebanon"),
    ct("LC", "Saint Lucia"),
    ct("LI", "Liechtenstein"),
    ct("LK", "Sri Lanka"),
    ct("LR", "Liberia"),
    ct("LS", "Lesotho"),
    ct("LT", "Lithuania"),
    ct("LU", "Luxembourg"),
    ct("LV", "Latvia"),
    ct("LY", "Libya"),
    ct("MA", "Morocco"),
    ct("MC", "Monaco"),
    ct("MD", "Moldova"),
    ct("ME", "Montenegro"),
    ct("MF", "Saint Martin"),
    ct("MG", "Madagascar"),
    ct("MH", "Marshall Islands"),
    ct("MK", "North Macedonia"),
    ct("ML", "Mali"),
    ct("MM", "Myanmar"),
    ct("MN", "Mongolia"),
    ct("MO", "Macao"),
    ct("MP", "Northern Mariana Islands"),
    ct("MQ", "Martinique"),
    ct("MR", "Mauritania"),
    ct("MS", "Montserrat"),
    ct("MT", "Malta"),
    ct("MU", "Mauritius"),
    ct("MV", "Maldives"),
    ct("MW", "Malawi"),
    ct("MX", "Mexico"),
    ct("MY", "Malaysia"),
    ct("MZ", "Mozambique"),
    ct("NA", "Namibia"),
    ct("NC", "New Caledonia"),
    ct("NE", "Niger"),
    ct("NF", "Norfolk Island"),
    ct("NG", "Nigeria"),
    ct("NI", "Nicaragua"),
    ct("NL", "Netherlands"),
    ct("NO", "Norway"),
    ct("NP", "Nepal"),
    ct("NR", "Nauru"),
    ct("NU", "Niue"),
    ct("NZ", "New Zealand"),
    ct("OM", "Oman"),
    ct("PA", "Panama"),
    ct("PE", "Peru"),
    ct("PF", "French Polynesia"),
    ct("PG", "Papua New Guinea"),
    ct("PH", "Philippines"),
    ct("PK", "Pakistan"),
    ct("PL", "Poland"),
    ct("PM", "Saint Pierre and Miquelon"),
    ct("PN", "Pitcairn Islands"),
    ct("PR", "Puerto Rico"),
    ct("PS", "Palestine"),
    ct("PT", "Portugal"),
    ct("PW", "Palau"),
    ct("PY", "Paraguay"),
    ct("QA", "Qatar"),
    ct("RE", "Réunion"),
    ct("RO", "Romania"),
    ct("RS", "Serbia"),
    ct("RU", "Russia"),
    ct("RW", "Rwanda"),
    ct("SA", "Saudi Arabia"),
    ct("SB", "Solomon Islands"),
    ct("SC", "Seychelles"),
    ct("SD", "Sudan"),
    ct("SE", "Sweden"),
    ct("SG", "Singapore"),
    ct("SH", "Saint Helena, Ascension and Tristan da Cunha"),
    ct("SI", "Slovenia"),
    ct("SJ", "Svalbard and Jan Mayen"),
    ct("SK", "Slovakia"),
    ct("SL", "Sierra Leone"),
    ct("SM", "San Marino"),
    ct("SN", "Senegal"),
    ct("SO", "Somalia"),
    ct("SR", "Suriname"),
    ct("SS", "South Sudan"),
    ct("ST", "São Tomé and Príncipe"),
    ct("SV", "El Salvador"),
    ct("SX", "Sint Maarten"),
    ct("SY", "Syria"),
    ct("SZ", "Eswatini"),
    ct("TC", "Turks and Caicos Islands"),
    ct("TD", "Chad"),
    ct("TF", "French Southern Territories"),
    ct("TG", "Togo"),
    ct("TH", "Thailand"),
    ct("TJ", "Tajikistan"),
    ct("TK", "Tokelau"),
    ct("TL", "Timor-Leste"),
    ct("TM", "Turkmenistan"),
    ct("TN", "Tunisia"),
    ct("TO", "Tonga"),
    ct("TR", "Turkey"),
    ct("TT", "Trinidad and Tobago"),
    ct("TV", "Tuvalu"),
    ct("TW", "Taiwan"),
    ct("TZ", "Tanzania"),
    ct("UA", "Ukraine"),
    ct("UG", "Uganda"),
    ct("UM", "United States Minor Outlying Islands"),
    ct("US", "United States"),
    ct("UY", "Uruguay"),
    ct("UZ", "Uzbekistan"),
    ct("VA", "Vatican City"),
    ct("VC", "Saint Vincent and the Grenadines"),
    ct("VE", "Venezuela"),
    ct("VG", "British Virgin Islands"),
    ct("VI", "U.S. Virgin Islands"),
    ct("VN", "Vietnam"),
    ct("VU", "Vanuatu"),
    ct("WF", "Wallis and Futuna"),
    ct("WS", "Samoa"),
    ct("YE", "Yemen"),
    ct("YT", "Mayotte"),
    ct("ZA", "South Africa"),
    ct("ZM", "Zambia"),
    ct("ZW", "Zimbabwe"),
];

/// Active ISO 4217 currencies (List One, excluding funds, precious metals,
/// SDR-like units and test codes), sorted by code.
///
/// Superseded codes are left out in favour of their successors: `ANG` (now
/// `XCG`, the Caribbean guilder), `ZWL` (now `ZWG`), `SLL` (now `SLE`),
/// `HRK` (Croatia now uses `EUR`).
pub static CURRENCIES: &[Currency] = &[
    cu("AED", "UAE Dirham", 2),
    cu("AFN", "Afghani", 2),
    cu("ALL", "Lek", 2),
    cu("AMD", "Armenian Dram", 2),
    cu("AOA", "Kwanza", 2),
    cu("ARS", "Argentine Peso", 2),
    cu("AUD", "Australian Dollar", 2),
    cu("AWG", "Aruban Florin", 2),
    cu("AZN", "Azerbaijan Manat", 2),
    cu("BAM", "Convertible Mark", 2),
    cu("BBD", "Barbados Dollar", 2),
    cu("BDT", "Taka", 2),
    cu("BGN", "Bulgarian Lev", 2),
    cu("BHD", "Bahraini Dinar", 3),
    cu("BIF", "Burundi Franc", 0),
    cu("BMD", "Bermudian Dollar", 2),
    cu("BND", "Brunei Dollar", 2),
    cu("BOB", "Boliviano", 2),
    cu("BRL", "Brazilian Real", 2),
    cu("BSD", "Bahamian Dollar", 2),
    cu("BTN", "Ngultrum", 2),
    cu("BWP", "Pula", 2),
    cu("BYN", "Belarusian Ruble", 2),
    cu("BZD", "Belize Dollar", 2),
    cu("CAD", "Canadian Dollar", 2),
    cu("CDF", "Congolese Franc", 2),
    cu("CHF", "Swiss Franc", 2),
    cu("CLP", "Chilean Peso", 0),
    cu("CNY", "Yuan Renminbi", 2),
    cu("COP", "Colombian Peso", 2),
    cu("CRC", "Costa Rican Colon", 2),
    cu("CUC", "Peso Convertible", 2),
    cu("CUP", "Cuban Peso", 2),
    cu("CVE", "Cabo Verde Escudo", 2),
    cu("CZK", "Czech Koruna", 2),
    cu("DJF", "Djibouti Franc", 0),
    cu("DKK", "Danish Krone", 2),
    cu("DOP", "Dominican Peso", 2),
    cu("DZD", "Algerian Dinar", 2),
    cu("EGP", "Egyptian Pound", 2),
    cu("ERN", "Nakfa", 2),
    cu("ETB", "Ethiopian Birr", 2),
    cu("EUR", "Euro", 2),
    cu("FJD", "Fiji Dollar", 2),
    cu("FKP", "Falkland Islands Pound", 2),
    cu("GBP", "Pound Sterling", 2),
    cu("GEL", "Lari", 2),
    cu("GHS", "Ghana Cedi", 2),
    cu("GIP", "Gibraltar Pound", 2),
    cu("GMD", "Dalasi", 2),
    cu("GNF", "Guinean Franc", 0),
    cu("GTQ", "Quetzal", 2),
    cu("GYD", "Guyana Dollar", 2),
    cu("HKD", "Hong Kong Dollar", 2),
    cu("HNL", "Lempira", 2),
    cu("HTG", "Gourde", 2),
    cu("HUF", "Forint", 2),
    cu("IDR", "Rupiah", 2),
    cu("ILS", "New Israeli Sheqel", 2),
    cu("INR", "Indian Rupee", 2),
    cu("IQD", "Iraqi Dinar", 3),
    cu("IRR", "Iranian Rial", 2),
    cu("ISK", "Iceland Krona", 0),
    cu("JMD", "Jamaican Dollar", 2),
    cu("JOD", "Jordanian Dinar", 3),
    cu("JPY", "Yen", 0),
    cu("KES", "Kenyan Shilling", 2),
    cu("KGS", "Som", 2),
    cu("KHR", "Riel", 2),
    cu("KMF", "Comorian Franc", 0),
    cu("KPW", "North Korean Won", 2),
    cu("KRW", "Won", 0),
    cu("KWD", "Kuwaiti Dinar", 3),
    cu("KYD", "Cayman Islands Dollar", 2),
    cu("KZT", "Tenge", 2),
    cu("LAK", "Lao Kip", 2),
    cu("LBP", "Lebanese Pound", 2),
    cu("LKR", "Sri Lanka Rupee", 2),
    cu("LRD", "Liberian Dollar", 2),
    cu("LSL", "Loti", 2),
    cu("LYD", "Libyan Dinar", 3),
    cu("MAD", "Moroccan Dirham", 2),
    cu("MDL", "Moldovan Leu", 2),
    cu("MGA", "Malagasy Ariary", 2),
    cu("MKD", "Denar", 2),
    cu("MMK", "Kyat", 2),
    cu("MNT", "Tugrik", 2),
    cu("MOP", "Pataca", 2),
    cu("MRU", "Ouguiya", 2),
    cu("MUR", "Mauritius Rupee", 2),
    cu("MVR", "Rufiyaa", 2),
    cu("MWK", "Malawi Kwacha", 2),
    cu("MXN", "Mexican Peso", 2),
    cu("MYR", "Malaysian Ringgit", 2),
    cu("MZN", "Mozambique Metical", 2),
    cu("NAD", "Namibia Dollar", 2),
    cu("NGN", "Naira", 2),
    cu("NIO", "Cordoba Oro", 2),
    cu("NOK", "Norwegian Krone", 2),
    cu("NPR", "Nepalese Rupee", 2),
    cu("NZD", "New Zealand Dollar", 2),
    cu("OMR", "Rial Omani", 3),
    cu("PAB", "Balboa", 2),
    cu("PEN", "Sol", 2),
    cu("PGK", "Kina", 2),
    cu("PHP", "Philippine Peso", 2),
    cu("PKR", "Pakistan Rupee", 2),
    cu("PLN", "Zloty", 2),
    cu("PYG", "Guarani", 0),
    cu("QAR", "Qatari Rial", 2),
    cu("RON", "Romanian Leu", 2),
    cu("RSD", "Serbian Dinar", 2),
    cu("RUB", "Russian Ruble", 2),
    cu("RWF", "Rwanda Franc", 0),
    cu("SAR", "Saudi Riyal", 2),
    cu("SBD", "Solomon Islands Dollar", 2),
    cu("SCR", "Seychelles Rupee", 2),
    cu("SDG", "Sudanese Pound", 2),
    cu("SEK", "Swedish Krona", 2),
    cu("SGD", "Singapore Dollar", 2),
    cu("SHP", "Saint Helena Pound", 2),
    cu("SLE", "Leone", 2),
    cu("SOS", "Somali Shilling", 2),
    cu("SRD", "Surinam Dollar", 2),
    cu("SSP", "South Sudanese Pound", 2),
    cu("STN", "Dobra", 2),
    cu("SVC", "El Salvador Colon", 2),
    cu("SYP", "Syrian Pound", 2),
    cu("SZL", "Lilangeni", 2),
    cu("THB", "Baht", 2),
    cu("TJS", "Somoni", 2),
    cu("TMT", "Turkmenistan New Manat", 2),
    cu("TND", "Tunisian Dinar", 3),
    cu("TOP", "Pa'anga", 2),
    cu("TRY", "Turkish Lira", 2),
    cu("TTD", "Trinidad and Tobago Dollar", 2),
    cu("TWD", "New Taiwan Dollar", 2),
    cu("TZS", "Tanzanian Shilling", 2),
    cu("UAH", "Hryvnia", 2),
    cu("UGX", "Uganda Shilling", 0),
    cu("USD", "US Dollar", 2),
    cu("UYU", "Peso Uruguayo", 2),
    cu("UZS", "Uzbekistan Sum", 2),
    cu("VED", "Bolívar Soberano (digital)", 2),
    cu("VES", "Bolívar Soberano", 2),
    cu("VND", "Dong", 0),
    cu("VUV", "Vatu", 0),
    cu("WST", "Tala", 2),
    cu("XAF", "CFA Franc BEAC", 0),
    cu("XCD", "East Caribbean Dollar", 2),
    cu("XCG", "Caribbean Guilder", 2),
    cu("XOF", "CFA Franc BCEAO", 0),
    cu("XPF", "CFP Franc", 0),
    cu("YER", "Yemeni Rial", 2),
    cu("ZAR", "Rand", 2),
    cu("ZMW", "Zambian Kwacha", 2),
    cu("ZWG", "Zimbabwe Gold", 2),
];

/// Looks up a country by its exact, upper-case ISO 3166-1 alpha-2 code.
pub fn country(code: &str) -> Option<&'static Country> {
    COUNTRIES
        .binary_search_by(|c| c.code.cmp(code))
        .ok()
        .map(|i| &COUNTRIES[i])
}

/// Looks up a currency by its exact, upper-case ISO 4217 alphabetic code.
pub fn currency(code: &str) -> Option<&'static Currency> {
    CURRENCIES
        .binary_search_by(|c| c.code.cmp(code))
        .ok()
        .map(|i| &CURRENCIES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_upper_code(code: &str, len: usize) -> bool {
        code.len() == len && code.bytes().all(|b| b.is_ascii_uppercase())
    }

    #[test]
    fn countries_are_strictly_sorted_and_well_formed() {
        for c in COUNTRIES {
            assert!(is_upper_code(c.code, 2), "bad country code {:?}", c.code);
            assert!(!c.name.is_empty(), "empty name for {}", c.code);
        }
        for pair in COUNTRIES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "countries out of order: {} then {}",
                pair[0].code,
                pair[1].code
            );
        }
    }

    #[test]
    fn currencies_are_strictly_sorted_and_well_formed() {
        for c in CURRENCIES {
            assert!(is_upper_code(c.code, 3), "bad currency code {:?}", c.code);
            assert!(!c.name.is_empty(), "empty name for {}", c.code);
            assert!(c.minor_units <= 3, "odd exponent for {}", c.code);
        }
        for pair in CURRENCIES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "currencies out of order: {} then {}",
                pair[0].code,
                pair[1].code
            );
        }
    }

    #[test]
    fn all_assigned_countries_are_present() {
        assert_eq!(COUNTRIES.len(), 249);
    }

    #[test]
    fn every_entry_is_found_by_lookup() {
        for c in COUNTRIES {
            assert_eq!(country(c.code), Some(c));
        }
        for c in CURRENCIES {
            assert_eq!(currency(c.code), Some(c));
        }
    }

    #[test]
    fn country_lookup() {
        assert_eq!(country("US").map(|c| c.name), Some("United States"));
        assert_eq!(country("DE").map(|c| c.name), Some("Germany"));
        assert_eq!(country("GB").map(|c| c.name), Some("United Kingdom"));
        assert_eq!(country("us"), None);
        assert_eq!(country("ZZ"), None);
        assert_eq!(country(""), None);
        assert_eq!(country("USA"), None);
    }

    #[test]
    fn currency_lookup() {
        assert_eq!(currency("JPY").map(|c| c.minor_units), Some(0));
        assert_eq!(currency("KWD").map(|c| c.minor_units), Some(3));
        assert_eq!(currency("EUR").map(|c| c.minor_units), Some(2));
        assert_eq!(currency("USD").map(|c| c.minor_units), Some(2));
        assert_eq!(currency("ABC"), None);
        assert_eq!(currency("usd"), None);
        assert_eq!(currency("XAU"), None);
        assert_eq!(currency(""), None);
    }
}
