package queries

// FamilyMacros define os_family, os_version, browser_family and browser_version: the
// operating system and browser strings of deviceDetail, which Entra ID spells several ways
// ("Windows10", "Windows 10" and "Windows"; "MacOs" and "macOS"; "Edge 124.0.2478"),
// grouped into one family each, with the version kept apart. A string no rule knows keeps
// its own spelling (without a trailing version) as its family. Empty or missing strings
// are the family "(unknown)" with an empty version. Prepare creates them per connection.
//
// Operating systems: Windows Phone; Windows (every "Windows..." spelling); macOS (MacOs,
// Mac OS X, OS X, Macintosh); iOS (Ios, iPhone, iPadOS); Android; ChromeOS (Chrome OS,
// CrOS); Linux (Linux, Ubuntu, Debian, Fedora, Red Hat). Browsers: Edge (Edge, Microsoft
// Edge, Edge Mobile); Internet Explorer (IE); Samsung Internet; Chrome (Chrome, Chrome
// Mobile, Chromium); Firefox (Firefox, Firefox Mobile); Safari (Safari, Mobile Safari);
// Opera. The version is the trailing number ("10" of Windows10, "124.0.2478" of Edge
// 124.0.2478), empty when the string ends without one.
const FamilyMacros = `CREATE OR REPLACE TEMP MACRO family_base(s) AS
    regexp_replace(trim(coalesce(s, '')), '\s*[0-9][0-9._]*$', '');
CREATE OR REPLACE TEMP MACRO family_version(s) AS
    regexp_extract(trim(coalesce(s, '')), '([0-9][0-9._]*)$', 1);
CREATE OR REPLACE TEMP MACRO os_family(s) AS (
    CASE
        WHEN trim(coalesce(s, '')) = '' THEN '(unknown)'
        WHEN regexp_matches(lower(trim(s)), '^windows\s*phone') THEN 'Windows Phone'
        WHEN regexp_matches(lower(trim(s)), '^windows') THEN 'Windows'
        WHEN regexp_matches(lower(trim(s)), '^(mac\s*os|macintosh|os\s*x)') THEN 'macOS'
        WHEN regexp_matches(lower(trim(s)), '^(ios|iphone|ipad)') THEN 'iOS'
        WHEN regexp_matches(lower(trim(s)), '^android') THEN 'Android'
        WHEN regexp_matches(lower(trim(s)), '^(chrome\s*os|cros)') THEN 'ChromeOS'
        WHEN regexp_matches(lower(trim(s)), '^(linux|ubuntu|debian|fedora|red\s*hat)') THEN 'Linux'
        WHEN family_base(s) = '' THEN trim(s)
        ELSE family_base(s)
    END);
CREATE OR REPLACE TEMP MACRO os_version(s) AS (
    CASE WHEN os_family(s) IN ('(unknown)', trim(coalesce(s, ''))) THEN '' ELSE family_version(s) END);
CREATE OR REPLACE TEMP MACRO browser_family(s) AS (
    CASE
        WHEN trim(coalesce(s, '')) = '' THEN '(unknown)'
        WHEN regexp_matches(lower(trim(s)), '^(microsoft\s*)?edge') THEN 'Edge'
        WHEN regexp_matches(lower(trim(s)), '^(ie|internet\s*explorer)(\s|$)') THEN 'Internet Explorer'
        WHEN regexp_matches(lower(trim(s)), '^samsung') THEN 'Samsung Internet'
        WHEN regexp_matches(lower(trim(s)), '^(chrome|chromium)') THEN 'Chrome'
        WHEN regexp_matches(lower(trim(s)), '^firefox') THEN 'Firefox'
        WHEN regexp_matches(lower(trim(s)), '^(mobile\s*)?safari') THEN 'Safari'
        WHEN regexp_matches(lower(trim(s)), '^opera') THEN 'Opera'
        WHEN family_base(s) = '' THEN trim(s)
        ELSE family_base(s)
    END);
CREATE OR REPLACE TEMP MACRO browser_version(s) AS (
    CASE WHEN browser_family(s) IN ('(unknown)', trim(coalesce(s, ''))) THEN '' ELSE family_version(s) END)`
