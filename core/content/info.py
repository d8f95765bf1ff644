"""Answers outside the four topics: emergency, reporting abuse, help points, hand-off, out of scope.

Every fact comes from ../shared/facts/netherlands-facts.md; each answer names its sources.
Phone numbers are only those the fact sheet gives.
"""

from __future__ import annotations

from core.content.model import FACTS_CHECKED, FACTS_CHECKED_UPDATE, Answer
from core.i18n import N_

EMERGENCY = Answer(
    key="emergency",
    title=N_("Emergency"),
    text=N_(
        "Are you or someone else in danger? Call 112 now.\n"
        "• Thinking of ending your life, or worried about someone? 113 Zelfmoordpreventie: 113 or 0800-0113, "
        "free, day and night.\n"
        "• Police, not an emergency: 0900 8844\n"
        "• Report a crime anonymously: Meld Misdaad Anoniem 0800-7000\n"
        "• Help for victims of human trafficking: CoMensha (033) 448 11 86, office hours 09:00–17:00\n"
        "• Exploitation or unsafe work: Arbeidsinspectie (Labour Authority) 0800 51 51"
    ),
    checked=FACTS_CHECKED,
    sources=(
        "https://www.wegwijzermensenhandel.nl/signaleren-van-mensenhandel/melden-van-mensenhandel",
        "https://www.politie.nl/themas/meld-misdaad-anoniem.html",
        "https://www.rijksoverheid.nl/onderwerpen/mensenhandel-mensensmokkel/vraag-en-antwoord/"
        "slachtoffers-van-mensenhandel-helpen",
        "https://www.113.nl/schoolopdracht",
    ),
)

REPORT_ABUSE = Answer(
    key="report_abuse",
    title=N_("Report abuse"),
    text=N_(
        "• In danger: call 112.\n"
        "• Exploitation, threats, or your passport was taken: police 0900 8844. "
        "Or anonymously: Meld Misdaad Anoniem 0800-7000.\n"
        "• Pay too low, unsafe work, too many hours: Arbeidsinspectie (Labour Authority) "
        "0800 51 51 (free) or its online form.\n"
        "• Temp agency breaks the agency CAO (collective labour agreement): report it to the SNCU, "
        "0800-7008. Fully anonymous. The SNCU investigates agencies, mostly problems that affect several "
        "workers. It does not handle your personal dispute. They speak Polish, Romanian, English and Spanish.\n"
        "• Bad landlord or housing: the meldpunt (reporting point) of your gemeente (municipality). "
        "You can report anonymously.\n"
        "Keep proof: your days and hours worked, the pay you got, messages, photos, "
        "and names of companies, bosses and colleagues."
    ),
    checked=FACTS_CHECKED,
    sources=(
        "https://www.wegwijzermensenhandel.nl/signaleren-van-mensenhandel/melden-van-mensenhandel",
        "https://www.sncu.nl/sncu-onderzoek/",
        "https://www.fairwork.nu/en/news-2/page/5/",
    ),
)

REPORT_ABUSE_SIGNS = Answer(
    key="report_abuse/signs",
    title=N_("Signs of abuse"),
    text=N_(
        "The Labour Authority (Arbeidsinspectie) names these signs of labour exploitation:\n"
        "• dangerous work\n"
        "• very long hours\n"
        "• low pay, no pay or late pay\n"
        "• your passport was taken\n"
        "• you came here because of false promises\n"
        "• threats\n"
        "• debt to your employer\n"
        "• no access to your own bank account\n"
        "• no insurance\n"
        "• you live in an industrial building\n"
        "• you do not know your own address\n"
        "Do you see these signs? Call the Arbeidsinspectie on 0800 51 51 or the police on 0900 8844. "
        "In danger: call 112."
    ),
    checked=FACTS_CHECKED,
    sources=("https://www.nllabourauthority.nl/topics/human-trafficking---labour-exploitation",),
)


REPORT_ABUSE_PASSPORT = Answer(
    key="report_abuse/passport",
    title=N_("Passport taken"),
    text=N_(
        "Your employer must check your original passport or ID card before you start, and keep a copy. "
        "Keeping the passport itself is something else.\n"
        "• You must be able to show a valid ID at work at any time, and your employer must make sure you can.\n"
        "• Taking passports or bank cards is treated as a serious abuse. The Arbeidsinspectie "
        "(Labour Authority) can act on it. Together with other serious abuses it can even stop the work "
        "in the company.\n"
        "What you can do:\n"
        "1. Ask for your passport back in writing, and keep a copy of your message.\n"
        "2. Report it to the Arbeidsinspectie: 0800 51 51 (free) or its online form.\n"
        "3. Threatened, or not free to leave? Call the police on 0900 8844, or 112 in danger. "
        "FairWork and CoMensha also help."
    ),
    checked=FACTS_CHECKED_UPDATE,
    sources=(
        "https://business.gov.nl/regulation/verifying-identity-employees/",
        "https://www.nllabourauthority.nl/topics/identity-check",
        "https://www.rijksoverheid.nl/actueel/nieuws/2025/02/11/"
        "stillegging-van-bedrijven-bij-misstanden-met-arbeidsmigranten",
        "https://www.nllabourauthority.nl/topics/human-trafficking---labour-exploitation",
    ),
)

REPORT_ABUSE_ORGANISATIONS = Answer(
    key="report_abuse/organisations",
    title=N_("Who does what"),
    text=N_(
        "Who can help with problems at work, and what each one really does:\n"
        "• Arbeidsinspectie (Labour Authority), 0800 51 51: underpayment, too many hours, unsafe work, "
        "exploitation. It investigates and can fine employers.\n"
        "• SNCU, 0800-7008: checks if temp agencies follow the agency CAO (pay, phases, pension, "
        "payslip, housing). It does not handle your personal dispute. It looks mostly at problems that "
        "affect several workers, and at the last 2 years only. Your report stays anonymous.\n"
        "• ABU: complaints about an agency that is an ABU member, online at mijn.abu.nl. First use the "
        "agency's own complaints procedure. A member that breaks the rules gets 3 or 6 months to fix it, "
        "or it loses the ABU quality mark.\n"
        "• SNA register (normeringarbeid.nl): check if an agency is certified. Certified agencies are "
        "inspected on wage taxes, ID checks and the minimum wage.\n"
        "• FairWork: an independent organisation. Free, confidential advice when you see signs of "
        "exploitation, like no pay, debt to your employer, threats or your ID taken.\n"
        "• Your own dispute about pay or dismissal: Juridisch Loket (free first legal advice), 0900-8020."
    ),
    checked=FACTS_CHECKED_UPDATE,
    sources=(
        "https://www.sncu.nl/sncu-onderzoek/",
        "https://mijn.abu.nl/meldingdoen/en",
        "https://www.abu.nl/faq/wat-gebeurt-er-als-een-abu-lid-zich-niet-aan-de-abu-keurmerk-regels-houdt/",
        "http://www.normeringarbeid.nl/faq/default.aspx",
        "https://www.fairwork.nu/en/frequently-asked-questions/",
        "https://www.juridischloket.nl/over-het-juridisch-loket/werkwijze",
    ),
)

#: The sub-answers of reporting abuse, besides the general answer. actions/reports.py answers a typed question
#: about one of them before the report form, and `make eval` scores held-out questions the same way.
REPORT_ABUSE_KEYS = (REPORT_ABUSE_SIGNS.key, REPORT_ABUSE_PASSPORT.key, REPORT_ABUSE_ORGANISATIONS.key)

FIND_HELP = Answer(
    key="find_win_point",
    title=N_("Find help"),
    text=N_(
        "WIN-punten (help points for EU workers) are being set up: one in each of the 35 labour market regions. "
        "In early 2026, 11 were active. Points we know:\n"
        "• Informatiepunt West-Brabant: at the city office in Breda. Staff speak Polish and Romanian.\n"
        "• Informatiepunt Midden-Brabant: at Stadswinkel Noord, Wagnerplein, Tilburg. "
        "E-mail: welkomintilburg@tilburg.nl.\n"
        "• Noordoost-Brabant: local news reported a walk-in desk at Markt 3 in Veghel (opened in 2024). "
        "We do not know if it is still there.\n"
        "• Den Haag and Westland: a mobile information bus with staff who speak several languages. "
        "It has no fixed address.\n"
        "• Groningen: a WIN-punt was announced at Dirk Huizingastraat 17. "
        "We do not know if it is open yet.\n"
        "Opening hours are not published for any of them. "
        "Check workinnl.nl, the official website for EU workers, for the latest information.\n"
        "For registration questions, see the 19 RNI desks under Registration."
    ),
    checked=FACTS_CHECKED_UPDATE,
    sources=(
        "https://www.workinnl.nl/en/topics/inschrijving+en/default.aspx",
        "https://www.tilburg.nl/nieuws/item/informatiepunt-voor-arbeidsmigranten-uit-de-eu/",
        "https://meierijstad.nieuws.nl/2024/01/10/informatiepunt-voor-arbeidsmigranten-regio-noordoost-brabant-geopend/",
        "https://070online.nl/2025/07/31/gemeenten-den-haag-en-westland-slaan-handen-ineen-met-mobiel-informatiepunt/",
        "https://www.oogtv.nl/2026/01/groningen-gaat-uitbuiting-arbeidsmigranten-aanpakken/",
        "https://www.samenvoordeklant.nl/nieuws/"
        "hervorming-arbeidsmarktinfrastructuur-goede-kansen-voor-samenwerking-met-win-punten",
    ),
)

MOBILE_TEAM = Answer(
    key="mobile_team_visit",
    title=N_("Mobile team visits"),
    text=N_(
        "Some regions have mobile teams that come to workers. "
        "In Brabant, the information points have mobile teams. "
        "Groningen announced a mobile WIN-punt in a bus.\n"
        "The visit schedule is not in this chat yet. "
        "Ask your regional WIN-punt (help point for EU workers), or check workinnl.nl.\n"
        "Meanwhile, you can ask me your question here."
    ),
    checked=FACTS_CHECKED,
    sources=(
        "https://www.arbeidsmigratieingoedebanen.nl/actueel/nieuws/2023/11/16/brabants-migratie-informatie-punt-van-start",
        "https://www.workinnl.nl/en/topics/inschrijving+en/default.aspx",
        "https://www.oogtv.nl/2026/01/groningen-gaat-uitbuiting-arbeidsmigranten-aanpakken/",
    ),
)

HUMAN_HANDOFF = Answer(
    key="human_handoff",
    title=N_("Talk to a person"),
    text=N_(
        "You can also talk to people here:\n"
        "• A WIN-punt or information point in your region. In West-Brabant, staff speak Polish "
        "and Romanian.\n"
        "• SNCU helpdesk 0800-7008, to report a temp agency that breaks the agency CAO. "
        "It investigates agencies, but does not handle your personal dispute. "
        "They speak Polish, Romanian, English and Spanish.\n"
        "• In danger: call 112."
    ),
    checked=FACTS_CHECKED,
    sources=(
        "https://www.workinnl.nl/en/topics/inschrijving+en/default.aspx",
        "https://sociaalbestek.nl/blog/opening-informatiepunt-west-brabant-voor-eu-arbeidsmigranten",
        "https://www.sncu.nl/sncu-onderzoek/",
        "https://powroty.gov.pl/gdzie-mozna-uzyskac-pomoc-w-dochodzeniu-praw-pracowniczych-"
        "w-przypadku-naduzyc-ze-strony-pracodawcy-w-holandii-11830",
    ),
)

OUT_OF_SCOPE = Answer(
    key="out_of_scope",
    title=N_("Other questions"),
    text=N_(
        "Sorry, I can't help with that. I can answer questions about registration, housing, "
        "health insurance, work and pay, and tell you where to report abuse or find help."
    ),
    checked=FACTS_CHECKED,
    sources=("https://www.workinnl.nl/en/topics/inschrijving+en/default.aspx",),
)

INFO_ANSWERS: tuple[Answer, ...] = (
    EMERGENCY,
    REPORT_ABUSE,
    REPORT_ABUSE_SIGNS,
    REPORT_ABUSE_PASSPORT,
    REPORT_ABUSE_ORGANISATIONS,
    FIND_HELP,
    MOBILE_TEAM,
    HUMAN_HANDOFF,
    OUT_OF_SCOPE,
)
