"""The packaged gazetteer: reproducible from its sources, small, and free of common words as places."""

from __future__ import annotations

import pytest

from agents.entities import build_gazetteer
from agents.entities.gazetteer import GAZETTEER_PATH, load
from agents.entities.keys import fold, match_key


def test_the_committed_file_is_what_the_build_script_makes() -> None:
    pytest.importorskip("wordfreq")
    built = build_gazetteer.render(build_gazetteer.build())
    assert built == GAZETTEER_PATH.read_text(encoding="utf-8"), (
        "data/gazetteer.json is stale: run .venv/bin/python -m agents.entities.build_gazetteer"
    )


def test_the_data_is_commit_sized() -> None:
    assert GAZETTEER_PATH.stat().st_size < 3 * 1024 * 1024


@pytest.mark.parametrize(
    "word",
    ["بين", "على", "مالي", "المدينة", "الجديدة", "العين", "الخبر", "صور", "مدينة", "مشهد", "بحري", "كيف", "لاية",
     "Of", "Nice", "Mobile", "Reading", "Man", "Van", "Victoria", "Batman", "Male", "Split", "Orange", "Antony"],
)
def test_common_words_are_not_places(word: str) -> None:
    gazetteer = load()
    ids = gazetteer.names.get(match_key(word), ())
    places = [entity_id for entity_id in ids if gazetteer.type_of(entity_id) == "LOC"]
    assert places == []


@pytest.mark.parametrize(
    ("name", "entity_id"),
    [
        ("طوكيو", "loc:tokyo"),
        ("Tokyo", "loc:tokyo"),
        ("London", "loc:london"),
        ("لندن", "loc:london"),
        ("القاهرة", "loc:cairo"),
        ("Cairo", "loc:cairo"),
        ("الولايات المتحدة الأميركية", "loc:united-states"),
        ("جزر الكوريل", "loc:kuril-islands"),
        ("Uttar Pradesh", "loc:uttar-pradesh"),
        ("الأمم المتحدة", "org:united-nations"),
        ("سيرغي لافروف", "per:sergey-lavrov"),
        ("المنوفية", "loc:monufia"),
        ("كهرمان مرعش", "loc:kahramanmaras"),
        ("مضيق جبل طارق", "loc:strait-of-gibraltar"),
        ("سابك", "org:sabic"),
        ("جامعة عين شمس", "org:ain-shams-university"),
        ("البنك المركزي المصري", "org:central-bank-of-egypt"),
    ],
)
def test_packaged_and_curated_names_resolve_to_one_entity(name: str, entity_id: str) -> None:
    assert load().names[match_key(name)][0] == entity_id


def test_every_nationality_points_at_a_known_place_or_union() -> None:
    gazetteer = load()
    assert {gazetteer.type_of(entity_id) for entity_id in gazetteer.nationalities.values()} == {"LOC", "ORG"}


def test_folding_keeps_offsets_back_to_the_original_text() -> None:
    text = "تعزّزان   الأمـن في طوكيو"
    folded = fold(text)
    start = folded.text.index("طوكيو")
    assert text[folded.start(start) : folded.end(start + len("طوكيو"))] == "طوكيو"
    assert folded.text.startswith("تعززان الامن")


@pytest.mark.parametrize("word", ["بورصة", "اتصالات", "تداول", "الاتفاق", "الوحدات", "منى", "عمران", "Hit", "Salt"])
def test_broad_curated_lists_keep_out_common_words_and_given_names(word: str) -> None:
    """The guarded lists (every province, club, outlet) never turn an everyday word or a given name into an
    entity, whatever a row lists."""
    gazetteer = load()
    ids = gazetteer.names.get(match_key(word), ())
    assert [entity_id for entity_id in ids if gazetteer.type_of(entity_id) in {"LOC", "ORG"}] == []


def test_a_guarded_row_passes_the_builders_word_checks() -> None:
    builder = build_gazetteer.Builder({match_key("اتصالات")}, {"hit"}, set())
    entity_id = builder.entity("LOC", "Hit")
    for variant in ("Hit", "اتصالات", "مدينة هيت"):
        builder.name(variant, entity_id, population=build_gazetteer.GUARDED_POPULATION)
    assert list(builder.names) == [match_key("مدينة هيت")]
