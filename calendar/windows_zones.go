package calendar

// windowsZone maps one Windows time zone ID to an IANA zone.
type windowsZone struct {
	windows, iana string
}

// windowsZoneTable returns the Unicode CLDR windowsZones mapping
// (common/supplemental/windowsZones.xml, the territory "001" entry of every
// standard Windows zone ID), which is how Outlook and Exchange name zones in
// TZID parameters ("W. Europe Standard Time"). It was written from CLDR's
// data, not downloaded at build time; TestWindowsZoneTable checks that Go
// loads every IANA value and that the fixed-offset ones have the offset their
// name says.
//
// Two deliberate departures from CLDR's values:
//   - CLDR keeps some IDs that the tz database has since renamed; the current
//     IANA names are used instead, because distributions are moving the old
//     names to optional "legacy" packages: Asia/Calcutta -> Asia/Kolkata,
//     Asia/Katmandu -> Asia/Kathmandu, Asia/Rangoon -> Asia/Yangon,
//     America/Buenos_Aires -> America/Argentina/Buenos_Aires,
//     America/Indianapolis -> America/Indiana/Indianapolis, America/Godthab
//     -> America/Nuuk, Europe/Kiev -> Europe/Kyiv.
//   - "Central Asia Standard Time" (UTC+06:00) maps to Asia/Bishkek, CLDR's
//     value since Kazakhstan moved Almaty to UTC+05:00 in 2024.
//
// The order is CLDR's (west to east), with the most common zone first among
// those that share their current rules (Eastern Standard Time before US
// Eastern, Haiti and Turks and Caicos; W. Europe before the other UTC+01:00
// zones): custom VTIMEZONE blocks that match several zones take the first.
//
// It is a function returning a fresh slice, not a package variable, so that
// the package keeps no mutable state; ParseImport builds its lookup from it
// only when a TZID is not an IANA name.
func windowsZoneTable() []windowsZone {
	return []windowsZone{
		{"Dateline Standard Time", "Etc/GMT+12"},
		{"UTC-11", "Etc/GMT+11"},
		{"Aleutian Standard Time", "America/Adak"},
		{"Hawaiian Standard Time", "Pacific/Honolulu"},
		{"Marquesas Standard Time", "Pacific/Marquesas"},
		{"Alaskan Standard Time", "America/Anchorage"},
		{"UTC-09", "Etc/GMT+9"},
		{"Pacific Standard Time", "America/Los_Angeles"},
		{"Pacific Standard Time (Mexico)", "America/Tijuana"},
		{"UTC-08", "Etc/GMT+8"},
		{"US Mountain Standard Time", "America/Phoenix"},
		{"Mountain Standard Time", "America/Denver"},
		{"Mountain Standard Time (Mexico)", "America/Mazatlan"},
		{"Yukon Standard Time", "America/Whitehorse"},
		{"Central America Standard Time", "America/Guatemala"},
		{"Central Standard Time", "America/Chicago"},
		{"Easter Island Standard Time", "Pacific/Easter"},
		{"Central Standard Time (Mexico)", "America/Mexico_City"},
		{"Canada Central Standard Time", "America/Regina"},
		{"SA Pacific Standard Time", "America/Bogota"},
		{"Eastern Standard Time", "America/New_York"},
		{"Eastern Standard Time (Mexico)", "America/Cancun"},
		{"Haiti Standard Time", "America/Port-au-Prince"},
		{"Cuba Standard Time", "America/Havana"},
		{"US Eastern Standard Time", "America/Indiana/Indianapolis"},
		{"Turks And Caicos Standard Time", "America/Grand_Turk"},
		{"Paraguay Standard Time", "America/Asuncion"},
		{"Atlantic Standard Time", "America/Halifax"},
		{"Venezuela Standard Time", "America/Caracas"},
		{"Central Brazilian Standard Time", "America/Cuiaba"},
		{"SA Western Standard Time", "America/La_Paz"},
		{"Pacific SA Standard Time", "America/Santiago"},
		{"Newfoundland Standard Time", "America/St_Johns"},
		{"Tocantins Standard Time", "America/Araguaina"},
		{"E. South America Standard Time", "America/Sao_Paulo"},
		{"SA Eastern Standard Time", "America/Cayenne"},
		{"Argentina Standard Time", "America/Argentina/Buenos_Aires"},
		{"Greenland Standard Time", "America/Nuuk"},
		{"Montevideo Standard Time", "America/Montevideo"},
		{"Magallanes Standard Time", "America/Punta_Arenas"},
		{"Saint Pierre Standard Time", "America/Miquelon"},
		{"Bahia Standard Time", "America/Bahia"},
		{"UTC-02", "Etc/GMT+2"},
		{"Azores Standard Time", "Atlantic/Azores"},
		{"Cape Verde Standard Time", "Atlantic/Cape_Verde"},
		{"UTC", "Etc/UTC"},
		{"GMT Standard Time", "Europe/London"},
		{"Greenwich Standard Time", "Atlantic/Reykjavik"},
		{"Sao Tome Standard Time", "Africa/Sao_Tome"},
		{"Morocco Standard Time", "Africa/Casablanca"},
		{"W. Europe Standard Time", "Europe/Berlin"},
		{"Central Europe Standard Time", "Europe/Budapest"},
		{"Romance Standard Time", "Europe/Paris"},
		{"Central European Standard Time", "Europe/Warsaw"},
		{"W. Central Africa Standard Time", "Africa/Lagos"},
		{"Jordan Standard Time", "Asia/Amman"},
		{"GTB Standard Time", "Europe/Bucharest"},
		{"Middle East Standard Time", "Asia/Beirut"},
		{"Egypt Standard Time", "Africa/Cairo"},
		{"E. Europe Standard Time", "Europe/Chisinau"},
		{"Syria Standard Time", "Asia/Damascus"},
		{"West Bank Standard Time", "Asia/Hebron"},
		{"South Africa Standard Time", "Africa/Johannesburg"},
		{"FLE Standard Time", "Europe/Kyiv"},
		{"Israel Standard Time", "Asia/Jerusalem"},
		{"South Sudan Standard Time", "Africa/Juba"},
		{"Kaliningrad Standard Time", "Europe/Kaliningrad"},
		{"Sudan Standard Time", "Africa/Khartoum"},
		{"Libya Standard Time", "Africa/Tripoli"},
		{"Namibia Standard Time", "Africa/Windhoek"},
		{"Arabic Standard Time", "Asia/Baghdad"},
		{"Turkey Standard Time", "Europe/Istanbul"},
		{"Arab Standard Time", "Asia/Riyadh"},
		{"Belarus Standard Time", "Europe/Minsk"},
		{"Russian Standard Time", "Europe/Moscow"},
		{"E. Africa Standard Time", "Africa/Nairobi"},
		{"Volgograd Standard Time", "Europe/Volgograd"},
		{"Iran Standard Time", "Asia/Tehran"},
		{"Arabian Standard Time", "Asia/Dubai"},
		{"Astrakhan Standard Time", "Europe/Astrakhan"},
		{"Azerbaijan Standard Time", "Asia/Baku"},
		{"Russia Time Zone 3", "Europe/Samara"},
		{"Mauritius Standard Time", "Indian/Mauritius"},
		{"Saratov Standard Time", "Europe/Saratov"},
		{"Georgian Standard Time", "Asia/Tbilisi"},
		{"Caucasus Standard Time", "Asia/Yerevan"},
		{"Afghanistan Standard Time", "Asia/Kabul"},
		{"West Asia Standard Time", "Asia/Tashkent"},
		{"Qyzylorda Standard Time", "Asia/Qyzylorda"},
		{"Ekaterinburg Standard Time", "Asia/Yekaterinburg"},
		{"Pakistan Standard Time", "Asia/Karachi"},
		{"India Standard Time", "Asia/Kolkata"},
		{"Sri Lanka Standard Time", "Asia/Colombo"},
		{"Nepal Standard Time", "Asia/Kathmandu"},
		{"Central Asia Standard Time", "Asia/Bishkek"},
		{"Bangladesh Standard Time", "Asia/Dhaka"},
		{"Omsk Standard Time", "Asia/Omsk"},
		{"Myanmar Standard Time", "Asia/Yangon"},
		{"SE Asia Standard Time", "Asia/Bangkok"},
		{"Altai Standard Time", "Asia/Barnaul"},
		{"W. Mongolia Standard Time", "Asia/Hovd"},
		{"North Asia Standard Time", "Asia/Krasnoyarsk"},
		{"N. Central Asia Standard Time", "Asia/Novosibirsk"},
		{"Tomsk Standard Time", "Asia/Tomsk"},
		{"China Standard Time", "Asia/Shanghai"},
		{"North Asia East Standard Time", "Asia/Irkutsk"},
		{"Singapore Standard Time", "Asia/Singapore"},
		{"W. Australia Standard Time", "Australia/Perth"},
		{"Taipei Standard Time", "Asia/Taipei"},
		{"Ulaanbaatar Standard Time", "Asia/Ulaanbaatar"},
		{"Aus Central W. Standard Time", "Australia/Eucla"},
		{"Transbaikal Standard Time", "Asia/Chita"},
		{"Tokyo Standard Time", "Asia/Tokyo"},
		{"North Korea Standard Time", "Asia/Pyongyang"},
		{"Korea Standard Time", "Asia/Seoul"},
		{"Yakutsk Standard Time", "Asia/Yakutsk"},
		{"Cen. Australia Standard Time", "Australia/Adelaide"},
		{"AUS Central Standard Time", "Australia/Darwin"},
		{"E. Australia Standard Time", "Australia/Brisbane"},
		{"AUS Eastern Standard Time", "Australia/Sydney"},
		{"West Pacific Standard Time", "Pacific/Port_Moresby"},
		{"Tasmania Standard Time", "Australia/Hobart"},
		{"Vladivostok Standard Time", "Asia/Vladivostok"},
		{"Lord Howe Standard Time", "Australia/Lord_Howe"},
		{"Bougainville Standard Time", "Pacific/Bougainville"},
		{"Russia Time Zone 10", "Asia/Srednekolymsk"},
		{"Magadan Standard Time", "Asia/Magadan"},
		{"Norfolk Standard Time", "Pacific/Norfolk"},
		{"Sakhalin Standard Time", "Asia/Sakhalin"},
		{"Central Pacific Standard Time", "Pacific/Guadalcanal"},
		{"Russia Time Zone 11", "Asia/Kamchatka"},
		{"New Zealand Standard Time", "Pacific/Auckland"},
		{"UTC+12", "Etc/GMT-12"},
		{"Fiji Standard Time", "Pacific/Fiji"},
		{"Chatham Islands Standard Time", "Pacific/Chatham"},
		{"UTC+13", "Etc/GMT-13"},
		{"Tonga Standard Time", "Pacific/Tongatapu"},
		{"Samoa Standard Time", "Pacific/Apia"},
		{"Line Islands Standard Time", "Pacific/Kiritimati"},
	}
}

// displayZone is one Windows display name (the text Outlook shows in its
// zone list, after the offset) and the Windows ID it belongs to.
type displayZone struct {
	display, windows string
}

// displayZoneTable lists the Windows display names Exchange and Outlook
// write as TZID without a VTIMEZONE ("(UTC-05:00) Eastern Time (US &
// Canada)"), for the zones of jointcal's users and their partners, from
// the Windows time zone registry's Display values (current and the older
// names still found in archives). The offset prefix is not part of the
// key: windowsDisplayZone strips it, in its "(UTC+01:00)" and older
// "(GMT+01:00)" and "(GMT+01.00)" forms, and checks it against the zone.
func displayZoneTable() []displayZone {
	return []displayZone{
		{"International Date Line West", "Dateline Standard Time"},
		{"Hawaii", "Hawaiian Standard Time"},
		{"Alaska", "Alaskan Standard Time"},
		{"Pacific Time (US & Canada)", "Pacific Standard Time"},
		{"Pacific Time (US & Canada); Tijuana", "Pacific Standard Time"},
		{"Arizona", "US Mountain Standard Time"},
		{"Mountain Time (US & Canada)", "Mountain Standard Time"},
		{"Central Time (US & Canada)", "Central Standard Time"},
		{"Saskatchewan", "Canada Central Standard Time"},
		{"Eastern Time (US & Canada)", "Eastern Standard Time"},
		{"Indiana (East)", "US Eastern Standard Time"},
		{"Bogota, Lima, Quito, Rio Branco", "SA Pacific Standard Time"},
		{"Bogota, Lima, Quito", "SA Pacific Standard Time"},
		{"Atlantic Time (Canada)", "Atlantic Standard Time"},
		{"Newfoundland", "Newfoundland Standard Time"},
		{"Brasilia", "E. South America Standard Time"},
		{"Brasília", "E. South America Standard Time"},
		{"City of Buenos Aires", "Argentina Standard Time"},
		{"Buenos Aires", "Argentina Standard Time"},
		{"Coordinated Universal Time", "UTC"},
		{"Dublin, Edinburgh, Lisbon, London", "GMT Standard Time"},
		{"Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London", "GMT Standard Time"},
		{"Monrovia, Reykjavik", "Greenwich Standard Time"},
		{"Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "W. Europe Standard Time"},
		{"Belgrade, Bratislava, Budapest, Ljubljana, Prague", "Central Europe Standard Time"},
		{"Brussels, Copenhagen, Madrid, Paris", "Romance Standard Time"},
		{"Sarajevo, Skopje, Warsaw, Zagreb", "Central European Standard Time"},
		{"West Central Africa", "W. Central Africa Standard Time"},
		{"Athens, Bucharest", "GTB Standard Time"},
		{"Athens, Bucharest, Istanbul", "GTB Standard Time"},
		{"Cairo", "Egypt Standard Time"},
		{"Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", "FLE Standard Time"},
		{"Helsinki, Kiev, Riga, Sofia, Tallinn, Vilnius", "FLE Standard Time"},
		{"Jerusalem", "Israel Standard Time"},
		{"Istanbul", "Turkey Standard Time"},
		{"Moscow, St. Petersburg", "Russian Standard Time"},
		{"Moscow, St. Petersburg, Volgograd", "Russian Standard Time"},
		{"Abu Dhabi, Muscat", "Arabian Standard Time"},
		{"Chennai, Kolkata, Mumbai, New Delhi", "India Standard Time"},
		{"Beijing, Chongqing, Hong Kong, Urumqi", "China Standard Time"},
		{"Osaka, Sapporo, Tokyo", "Tokyo Standard Time"},
		{"Canberra, Melbourne, Sydney", "AUS Eastern Standard Time"},
		{"Auckland, Wellington", "New Zealand Standard Time"},
	}
}
