"""The emergency answer for each kind of danger the safety layer recognises (core/safety.py).

Each starts with 112 (or 113 for thoughts of suicide) in its first line. Every fact comes from
../shared/facts/netherlands-facts.md (sections 2.5, 3.6, 5, 11 and 18); phone numbers are only those it gives.
Which languages 113 answers in is UNVERIFIED there, so the answer says we don't know.
"""

from __future__ import annotations

import datetime as dt

from core.content.model import Answer
from core.i18n import N_

#: The fact sheet's rows on 113, passports and accidents were checked on this day.
CHECKED = dt.date(2026, 12, 6)

SUICIDE = Answer(
    key="emergency/suicide",
    title=N_("Thoughts of suicide"),
    text=N_(
        "Please call 113 Zelfmoordpreventie now: 113 or 0800-0113. In danger right now: call 112.\n"
        "You are not alone. The call is free and anonymous, day and night. You can also chat on 113.nl.\n"
        "Worried about someone else? You can call 113 about them too.\n"
        "We don't know which languages the helpers speak."
    ),
    sources=(
        "https://www.113.nl/schoolopdracht",
        "https://www.upday.com/nl/binnenland/nummer-113-nu-gratis-betere-hulp-bij-zelfdodingsgedachten/pj8neqt",
        "https://www.nu.nl/binnenland/6062813/hulplijn-113-nu-ook-rechtstreeks-bereikbaar-voor-zelfmoordpreventie.html",
    ),
    checked=CHECKED,
)

INJURED = Answer(
    key="emergency/injured",
    title=N_("Someone is hurt"),
    text=N_(
        "Call 112 now if someone is badly hurt, unconscious or not breathing. Say where you are.\n"
        "• Stay with the person until help comes.\n"
        "• Not life-threatening? Call your huisarts (GP). Evenings, nights and weekends: "
        "the huisartsenpost (out-of-hours GP service).\n"
        "• An accident at work? The employer must report serious accidents to the Arbeidsinspectie "
        "(Labour Authority). You can report it yourself too: 0800 51 51. "
        "Keep photos, names of witnesses and medical papers."
    ),
    sources=(
        "https://expatcentremaastrichtregion.nl/expats/formalities/general-practitioner",
        "https://www.nllabourauthority.nl/topics/report/report-a-work-related-accident",
        "https://www.expatcentreleiden.nl/en/essentials/essential-information/healthcare/general-practitioner-huisarts",
    ),
    checked=CHECKED,
)

VIOLENCE = Answer(
    key="emergency/violence",
    title=N_("Violence or threats"),
    text=N_(
        "Call 112 now if you or someone else is being attacked or threatened.\n"
        "• Go to a safe place if you can.\n"
        "• No danger any more? Police: 0900 8844. You can report what happened there.\n"
        "• Anonymously: Meld Misdaad Anoniem 0800-7000.\n"
        "• Threatened or hit by your boss or your agency? Tell the Arbeidsinspectie (Labour Authority) too: "
        "0800 51 51."
    ),
    sources=(
        "https://www.wegwijzermensenhandel.nl/signaleren-van-mensenhandel/melden-van-mensenhandel",
        "https://www.politie.nl/themas/meld-misdaad-anoniem.html",
        "https://www.nllabourauthority.nl/topics/human-trafficking---labour-exploitation",
    ),
    checked=CHECKED,
)

TRAPPED = Answer(
    key="emergency/trapped",
    title=N_("Not free to leave"),
    text=N_(
        "Locked in, or not free to leave? Call 112 now.\n"
        "• Your boss or agency took your passport or ID? Ask for it back in writing. "
        "An employer may keep a copy, but you must be able to show your own ID at work.\n"
        "• Report it to the police: 0900 8844, or to the Arbeidsinspectie (Labour Authority): 0800 51 51.\n"
        "• CoMensha helps victims of human trafficking with shelter and care: (033) 448 11 86, "
        "office hours 09:00–17:00.\n"
        "• FairWork gives free and confidential advice: fairwork.nu."
    ),
    sources=(
        "https://www.wegwijzermensenhandel.nl/signaleren-van-mensenhandel/melden-van-mensenhandel",
        "https://www.nllabourauthority.nl/topics/identity-check",
        "https://www.rijksoverheid.nl/onderwerpen/mensenhandel-mensensmokkel/vraag-en-antwoord/"
        "slachtoffers-van-mensenhandel-helpen",
        "https://www.fairwork.nu/en/frequently-asked-questions/",
    ),
    checked=CHECKED,
)

HOMELESS = Answer(
    key="emergency/homeless",
    title=N_("Nowhere to sleep"),
    text=N_(
        "In danger tonight? Call 112.\n"
        "• Go to the gemeente (municipality) where you are, and ask for a place to sleep tonight. "
        "Shelters often turn EU workers away: ask anyway. Some cities, like Amsterdam, Eindhoven and Venlo, "
        "have offered a short stay and help to find work or to go home.\n"
        "• Organisations that help: Barka (in 14 cities), De Regenboog (Amsterdam) "
        "and Leger des Heils (Salvation Army).\n"
        "• Lost your job and your agency housing? You may be able to stay up to 4 weeks: see the buttons below.\n"
        "• Talk to a person at a WIN-punt (help point for EU workers)."
    ),
    sources=(
        "https://nos.nl/artikel/2543806-dakloze-arbeidsmigranten-toch-weer-aan-het-werk-door-nieuwe-proef-gemeenten",
        "https://www.sncu.nl/vraag-en-antwoord/wanneer-dient-een-uitzendkracht-een-gefaciliteerde-huisvesting-te-verlaten/",
        "https://eenvandaag.avrotros.nl/item/oost-europese-daklozen-krijgen-vaak-geen-hulp-maar-hebben-daar-wel-recht-op-"
        "ernstig-dat-eu-burgers-als-tweederangsburger-behandeld-worden/",
    ),
    checked=CHECKED,
)

#: The answer for each danger kind of core.safety.KINDS.
DANGER_ANSWERS: dict[str, Answer] = {
    "suicide": SUICIDE,
    "injured": INJURED,
    "violence": VIOLENCE,
    "trapped": TRAPPED,
    "homeless": HOMELESS,
}
