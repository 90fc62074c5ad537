"""Writes the small hand-made importer fixtures in the published layouts (no downloaded data).

Run from this folder: python make_fixtures.py. The rows are invented test cases, not real events.
"""

GDELT_WIDTH = 61


def gdelt_row(event_id, sqldate, a1_name, a1_country, a2_name, a2_country, code, url, width=GDELT_WIDTH):
    row = [""] * width
    row[0] = str(event_id)
    row[1] = sqldate
    row[2] = sqldate[:6]
    row[3] = sqldate[:4]
    row[5], row[6], row[7] = a1_country, a1_name, a1_country
    row[15], row[16], row[17] = a2_country, a2_name, a2_country
    row[25] = "1"
    row[26], row[27], row[28] = code, code[:3], code[:2]
    row[29] = "1"
    row[30] = "3.0"
    row[59] = sqldate + "120000"
    row[60 if width == GDELT_WIDTH else width - 1] = url
    return "\t".join(row)


gdelt = [
    gdelt_row(1, "20251020", "UNITED STATES", "USA", "CHINA", "CHN", "036", "https://example.test/a"),  # agree
    gdelt_row(2, "20251021", "CHINA", "CHN", "UNITED STATES", "USA", "042", "https://example.test/b"),  # consult
    gdelt_row(3, "20251021", "UNITED STATES", "USA", "CHINA", "CHN", "0874", "https://example.test/c"),  # retreat
    gdelt_row(4, "20251022", "UNITED STATES", "USA", "CHINA", "CHN", "163", "https://example.test/d"),  # coerce
    gdelt_row(5, "20251022", "CHINA", "CHN", "UNITED STATES", "USA", "1712", "https://example.test/e"),  # assault
    gdelt_row(6, "20251022", "UNITED STATES", "USA", "CHINA", "CHN", "010", "https://example.test/f"),  # dropped
    gdelt_row(7, "20251022", "UNITED STATES", "USA", "CHINA", "CHN", "XYZ", "https://example.test/g"),  # unknown
    gdelt_row(8, "20251022", "UNITED STATES", "USA", "MEXICO", "MEX", "042", "https://example.test/h"),  # other party
    gdelt_row(9, "20240101", "UNITED STATES", "USA", "CHINA", "CHN", "042", "https://example.test/i"),  # outside window
    gdelt_row(10, "20251340", "UNITED STATES", "USA", "CHINA", "CHN", "042", "https://example.test/j"),  # bad date
    gdelt_row(11, "20251022", "UNITED STATES", "USA", "CHINA", "CHN", "042", "https://example.test/k", width=60),  # 60 columns
    gdelt_row(12, "20251020", "UNITED STATES", "USA", "CHINA", "CHN", "036", "https://example.test/a"),  # twice in the file
    gdelt_row(13, "20251023", "UNITED STATES", "USA", "UNITED STATES", "USA", "042", "https://example.test/l"),  # same side
]
with open("gdelt_sample.export.CSV", "w") as f:
    f.write("\n".join(gdelt) + "\n")

ICEWS_HEADER = ["Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text",
                "CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID",
                "Sentence Number", "Publisher", "City", "District", "Province", "Country", "Latitude", "Longitude"]


def icews_row(eid, date, src, src_country, text, code, tgt, tgt_country):
    return "\t".join([str(eid), date, src, "Government", src_country, text, code, "3.0", tgt, "Government",
                      tgt_country, "1000" + str(eid), "1", "Example Wire", "", "", "", src_country, "0.0", "0.0"])


icews = [
    "\t".join(ICEWS_HEADER),
    icews_row(1, "2025-10-18", "Scott Bessent", "United States", "Consult", "040", "He Lifeng", "China"),
    icews_row(2, "2025-10-19", "China", "China", "Threaten", "130", "United States", "United States"),
    icews_row(3, "2025-10-19", "China", "China", "Make statement", "010", "United States", "United States"),
    icews_row(4, "2025-10-20", "United States", "United States", "Demand", "100", "Japan", "Japan"),
    icews_row(5, "not a date", "United States", "United States", "Consult", "040", "China", "China"),
    "6\t2025-10-20\tshort row",
    icews_row(7, "2025-10-21", "United States", "United States", "Threaten (variant)", "13y", "China", "China"),
    icews_row(8, "2025-10-21", "United States", "United States", "Garbled", "abc", "China", "China"),
]
with open("icews_sample.tab", "w") as f:
    f.write("\n".join(icews) + "\n")

POLECAT_HEADER = ["Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code", "Contexts",
                  "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors", "Actor Title",
                  "Actor Name Raw", "Wikipedia Actor ID", "Recipient Name", "Recipient Country", "Recipient COW",
                  "Primary Recipient Sector", "Recipient Sectors", "Recipient Title", "Recipient Name Raw",
                  "Wikipedia Recipient ID", "Placename", "City", "District", "Province", "Country", "Latitude",
                  "Longitude", "GeoNames ID", "Raw Placename", "Feature Type", "Source", "Publication Date",
                  "Story People", "Story Organizations", "Story Locations", "Language", "Version"]


def polecat_row(eid, date, etype, mode, actor, a_country, recipient, r_country):
    row = ["None"] * len(POLECAT_HEADER)
    row[0], row[1], row[2], row[3] = eid, date, etype, mode
    row[4], row[5] = "1.0", "VERBAL COOPERATION"
    row[7], row[8], row[15], row[16] = actor, a_country, recipient, r_country
    row[33], row[34] = "Example News", date
    row[38], row[39] = "en", "1.0"
    return "\t".join(row)


polecat = [
    "\t".join(POLECAT_HEADER),
    polecat_row("p1", "2025-10-18", "CONSULT", "phone", "Scott Bessent", "USA", "He Lifeng", "CHN"),
    polecat_row("p2", "2025-10-19", "SANCTION", "None", "China", "CHN", "United States", "USA"),
    polecat_row("p3", "2025-10-20", "ACCUSE", "disapprove", "United States; Japan", "USA; JPN", "China", "CHN"),
    polecat_row("p4", "2025-10-20", "CONSULT", "visit", "Japan", "JPN", "China", "CHN"),
    polecat_row("p5", "2025-10-21", "DISSENT", "None", "United States", "USA", "China", "CHN"),
    polecat_row("p6", "2025/10/99", "CONSULT", "None", "United States", "USA", "China", "CHN"),
    "p7\t2025-10-21\tCONSULT",
]
with open("polecat_sample.txt", "w") as f:
    f.write("\n".join(polecat) + "\n")
