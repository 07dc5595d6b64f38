"""The 74 of the 10,000 most common English words that the date-typo rule would read
as a date word (`match` as March, `tom` as tomorrow): never read as one. Made by
bench/make_english_near_dates.py from wordfreq's list (its data is CC BY-SA 4.0). Do not edit by hand."""

COMMON_WORDS_NEAR_DATES = frozenset(
    {
        "arch", "bears", "beg", "begin", "blast", "bus", "businesses", "carter", "charter", "christians",
        "ears", "fears", "fork", "gear", "hears", "his", "honda", "jane", "judy", "jung", "junk", "jury",
        "las", "lasts", "least", "list", "marc", "marco", "marsh", "match", "money", "monthly", "mouth",
        "nest", "net", "past", "pays", "pork", "quarterly", "quarters", "rays", "remember", "sandy", "says",
        "seek", "seeks", "subway", "sudan", "sunny", "tear", "tears", "throw", "tom", "ton", "tone", "tune",
        "unite", "waking", "warming", "ways", "weak", "wears", "weed", "weekends", "weekly", "word", "wore",
        "works", "worrying", "yay", "yea", "yeah", "yes", "york",
    }
)
