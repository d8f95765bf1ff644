"""The new sub-answers are reachable today by keyword stems, in every language (docs/subtopics.md)."""

from __future__ import annotations

import pytest

from core.content.topics import TOPICS
from core.subtopics import best_subtopic, keywords

REPORT_ABUSE_KEYS = ("report_abuse/signs", "report_abuse/passport", "report_abuse/organisations")

#: (language, message, the sub-answer it asks for): one situation per new sub-answer and language
CASES = [
    ("en", "from Ukraine with temporary protection, how do I register?", "brp_registration/ukraine"),
    ("en", "landlord does not repair the heating, can the huurcommissie help", "housing_rights/huurcommissie"),
    ("en", "can I get rent benefit for my flat?", "housing_rights/huurtoeslag"),
    ("en", "refugee from Ukraine, must I pay insurance or is RMO enough", "health_insurance/ukraine"),
    ("en", "can they fire me while I am sick?", "work_rights/sick_dismissal"),
    ("en", "contract ended last week, can I get unemployment money from uwv", "work_rights/ww"),
    ("en", "how many days off per year and how many hours a week can I work", "work_rights/holidays_hours"),
    ("en", "I had an accident at work and broke my arm", "work_rights/accident"),
    ("en", "I am from Ukraine, do I need a work permit to work here?", "work_rights/ukraine"),
    ("en", "my kids live in Poland, can I get child benefit", "benefits_tax/child_benefit"),
    ("en", "how do I get my tax back, do I need the m form", "benefits_tax/tax_return"),
    ("nl", "Ik kom uit Oekraïne met tijdelijke bescherming, hoe schrijf ik me in?", "brp_registration/ukraine"),
    ("nl", "de huur is te hoog, kan ik naar de huurcommissie", "housing_rights/huurcommissie"),
    ("nl", "krijg ik huurtoeslag voor mijn kamer?", "housing_rights/huurtoeslag"),
    ("nl", "vluchteling uit Oekraïne, moet ik een zorgverzekering of rmo", "health_insurance/ukraine"),
    ("nl", "mag mijn baas me ontslaan terwijl ik ziek ben?", "work_rights/sick_dismissal"),
    ("nl", "mijn contract is gestopt, krijg ik ww?", "work_rights/ww"),
    ("nl", "hoeveel vakantiedagen heb ik en hoeveel uur per week mag ik werken", "work_rights/holidays_hours"),
    ("nl", "ik heb een ongeluk gehad op het werk, mijn hand is gewond", "work_rights/accident"),
    ("nl", "heb ik als Oekraïner een werkvergunning nodig?", "work_rights/ukraine"),
    ("nl", "mijn kinderen wonen in Roemenië, krijg ik kinderbijslag?", "benefits_tax/child_benefit"),
    ("nl", "hoe krijg ik belasting terug met het m-formulier", "benefits_tax/tax_return"),
    ("pl", "jestem z Ukrainy i mam ochronę czasową, jak się zarejestrować", "brp_registration/ukraine"),
    ("pl", "czynsz za wysoki i właściciel nic nie naprawia", "housing_rights/huurcommissie"),
    ("pl", "czy dostanę dodatek mieszkaniowy do czynszu", "housing_rights/huurtoeslag"),
    ("pl", "jestem z Ukrainy, czy mam RMO czy muszę mieć ubezpieczenie", "health_insurance/ukraine"),
    ("pl", "czy mogą mnie zwolnić w czasie choroby", "work_rights/sick_dismissal"),
    ("pl", "straciłem pracę, czy dostanę zasiłek dla bezrobotnych ww", "work_rights/ww"),
    ("pl", "ile dni urlopu mi przysługuje i ile godzin w tygodniu mogę pracować", "work_rights/holidays_hours"),
    ("pl", "miałem wypadek w pracy, złamana ręka", "work_rights/accident"),
    ("pl", "czy osoba z Ukrainy potrzebuje pozwolenia na pracę", "work_rights/ukraine"),
    ("pl", "dzieci w Polsce, czy dostanę zasiłek na dzieci z svb", "benefits_tax/child_benefit"),
    ("pl", "jak dostać zwrot podatku z Holandii", "benefits_tax/tax_return"),
    ("ro", "sunt din Ucraina cu protecție temporară, cum mă înregistrez", "brp_registration/ukraine"),
    ("ro", "chiria e prea mare si proprietarul nu repara nimic", "housing_rights/huurcommissie"),
    ("ro", "pot primi ajutor la chirie huurtoeslag?", "housing_rights/huurtoeslag"),
    ("ro", "sunt refugiat din Ucraina, am RMO sau trebuie asigurare?", "health_insurance/ukraine"),
    ("ro", "ma pot concedia cat sunt bolnav?", "work_rights/sick_dismissal"),
    ("ro", "am ramas fara loc de munca, cum primesc ajutor de somaj", "work_rights/ww"),
    ("ro", "cate zile de concediu am si cate ore pe saptamana pot lucra", "work_rights/holidays_hours"),
    ("ro", "am avut un accident la munca si m-am ranit", "work_rights/accident"),
    ("ro", "vin din Ucraina, am nevoie de permis de munca?", "work_rights/ukraine"),
    ("ro", "copiii mei stau in Romania, primesc alocatia pentru copii?", "benefits_tax/child_benefit"),
    ("ro", "cum iau banii inapoi de la impozit, formularul M", "benefits_tax/tax_return"),
    ("bg", "от Украйна съм с временна закрила, как да се регистрирам", "brp_registration/ukraine"),
    ("bg", "наемът е твърде висок, а хазяинът не поправя нищо", "housing_rights/huurcommissie"),
    ("bg", "мога ли да получа помощ за наем", "housing_rights/huurtoeslag"),
    ("bg", "бежанка от Украйна съм, покрива ли ме RMO", "health_insurance/ukraine"),
    ("bg", "уволнят ли ме докато съм болен?", "work_rights/sick_dismissal"),
    ("bg", "останах без работа, как да получа помощ за безработни", "work_rights/ww"),
    ("bg", "колко отпуск имам и колко часа седмично мога да работя", "work_rights/holidays_hours"),
    ("bg", "имах трудова злополука, пострадах на работа", "work_rights/accident"),
    ("bg", "от Украйна съм, трябва ли ми разрешение за работа", "work_rights/ukraine"),
    ("bg", "децата ми са в България, мога ли да получавам детски надбавки", "benefits_tax/child_benefit"),
    ("bg", "как да си върна данъка, формуляр M", "benefits_tax/tax_return"),
    ("uk", "я з тимчасовим захистом, як зареєструватися в gemeente", "brp_registration/ukraine"),
    ("uk", "оренда завелика і орендодавець не робить ремонт", "housing_rights/huurcommissie"),
    ("uk", "чи можу я отримати допомогу на оренду", "housing_rights/huurtoeslag"),
    ("uk", "я біженка, чи покриває мене RMO", "health_insurance/ukraine"),
    ("uk", "чи можуть звільнити, поки хворію?", "work_rights/sick_dismissal"),
    ("uk", "втратила роботу, як отримати допомогу з безробіття", "work_rights/ww"),
    ("uk", "скільки днів відпустки і скільки годин на тиждень можна працювати", "work_rights/holidays_hours"),
    ("uk", "стався нещасний випадок на роботі, я травмувався", "work_rights/accident"),
    ("uk", "чи потрібен мені дозвіл на роботу з тимчасовим захистом", "work_rights/ukraine"),
    ("uk", "діти в Україні, чи можна отримати допомогу на дітей", "benefits_tax/child_benefit"),
    ("uk", "як отримати повернення податку, форма M", "benefits_tax/tax_return"),
]

REPORT_CASES = [
    ("en", "my boss keeps my passport and won't give it back", "report_abuse/passport"),
    ("en", "what does the sncu do, can fairwork help me", "report_abuse/organisations"),
    ("nl", "mijn werkgever houdt mijn paspoort", "report_abuse/passport"),
    ("nl", "wat doet de sncu en wie kan helpen", "report_abuse/organisations"),
    ("pl", "pracodawca zabrał mi paszport i nie chce oddać", "report_abuse/passport"),
    ("pl", "czym się zajmuje sncu i kto pomoże", "report_abuse/organisations"),
    ("ro", "angajatorul mi-a luat pașaportul", "report_abuse/passport"),
    ("ro", "ce face sncu, cine ma ajuta", "report_abuse/organisations"),
    ("bg", "шефът ми взе паспорта и не ми го връща", "report_abuse/passport"),
    ("bg", "какво прави sncu, кой може да помогне", "report_abuse/organisations"),
    ("uk", "роботодавець забрав паспорт і не віддає", "report_abuse/passport"),
    ("uk", "чим займається sncu і хто може допомогти", "report_abuse/organisations"),
]


@pytest.mark.parametrize(("language", "text", "key"), CASES)
def test_a_new_sub_answer_is_reached_by_keywords(language: str, text: str, key: str) -> None:
    topic = TOPICS[key.split("/")[0]]
    assert best_subtopic(text, [a.key for a in topic.answers], language) == key


@pytest.mark.parametrize(("language", "text", "key"), REPORT_CASES)
def test_a_report_abuse_sub_answer_is_reached_by_keywords(language: str, text: str, key: str) -> None:
    assert best_subtopic(text, REPORT_ABUSE_KEYS, language) == key


@pytest.mark.parametrize("language", ["pl", "ro", "bg", "uk", "en", "nl"])
def test_every_sub_answer_has_keywords_in_every_language(language: str) -> None:
    keys = {a.key for topic in TOPICS.values() for a in topic.answers} | set(REPORT_ABUSE_KEYS)
    missing = sorted(keys - keywords(language).keys())
    assert not missing, f"{language}: no keyword stems for {missing}"
