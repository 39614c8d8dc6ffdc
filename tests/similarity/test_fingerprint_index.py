from collections import Counter

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from similarity.catalogue_index import search_device
from similarity.fingerprint import (
    PLAIN,
    AudioError,
    Variant,
    bit_error_rate,
    decode,
    decode_variants,
    fingerprint,
    samples_from_audio,
)
from similarity.index import (
    EXHAUSTIVE,
    MAX_WINDOW_DISTANCE,
    ROBUST_VARIANTS,
    STATIC_CHANGE,
    STATIC_MARGIN,
    FingerprintIndex,
    Layout,
    change_rate,
    gpu_count,
    layout_for,
)
from similarity.models import Recording
from tests.similarity.conftest import excerpt, ffmpeg, track, with_noise

# A small inverted layout runs the large catalogues' code path on the test catalogue.
SMALL_INVERTED = Layout(reference_stride=8, query_stride=1, nlist=16, nprobe=4)


@pytest.fixture(scope="module", params=[EXHAUSTIVE, SMALL_INVERTED], ids=["exhaustive", "inverted"])
def index(request, catalogue) -> FingerprintIndex:
    built = FingerprintIndex(request.param)
    built.add_many((number, fingerprint(data).values) for number, data in catalogue.items())
    return built


def search(index, data, variants=(PLAIN,)):
    return index.search({variant: fingerprint(data, variant=variant).values for variant in variants})


def test_fingerprints_are_raw_32_bit_values_at_about_8_per_second(catalogue):
    print_ = fingerprint(catalogue[1])

    assert print_.values.dtype == np.uint32
    assert 7.5 < len(print_.values) / (print_.duration_s - 2.6) < 8.6
    assert np.array_equal(print_.values, fingerprint(catalogue[1]).values)


def test_an_excerpt_is_found_with_its_offsets(index, catalogue):
    matches = search(index, excerpt(catalogue[3], 15, 10))

    assert matches and matches[0].recording == 3
    assert matches[0].reference_start_s == pytest.approx(15, abs=0.5)
    assert matches[0].query_start_s == pytest.approx(0, abs=0.5)
    assert matches[0].score > 0.9
    assert all(m.recording == 3 for m in matches)


@pytest.mark.parametrize(
    "degrade",
    [
        lambda d: with_noise(d, snr_db=10),
        lambda d: ffmpeg(d, "-b:a", "64k", fmt="mp3"),
        lambda d: ffmpeg(d, "-af", "volume=-9dB"),
        lambda d: ffmpeg(d, "-af", "lowpass=f=3000"),
        lambda d: ffmpeg(d, "-af", "atempo=1.03"),
        lambda d: with_noise(d, snr_db=0),
    ],
    ids=["noise-10dB", "mp3-64k", "gain", "low-pass", "tempo+3%", "noise-0dB"],
)
def test_degraded_excerpts_are_still_found(index, catalogue, degrade):
    matches = search(index, degrade(excerpt(catalogue[5], 12, 10)))

    assert matches and matches[0].recording == 5


def test_a_resampled_copy_needs_the_speed_variants(index, catalogue):
    pitched = ffmpeg(excerpt(catalogue[2], 10, 12), "-af", "asetrate=44100*1.0595,aresample=44100")

    plain = search(index, pitched)
    robust = search(index, pitched, variants=ROBUST_VARIANTS)

    assert all(m.recording != 2 for m in plain)
    assert robust and robust[0].recording == 2 and robust[0].variant.rate != 1.0


def test_a_time_stretched_copy_aligns_best_through_the_tempo_variant(index, catalogue):
    stretched = ffmpeg(excerpt(catalogue[6], 10, 20), "-af", "atempo=0.97")  # 20 s -> 20.6 s

    plain = search(index, stretched)
    [undone] = search(index, stretched, variants=[Variant(tempo=1.03)])

    assert undone.recording == 6 and undone.reference_start_s == pytest.approx(10, abs=0.5)
    # The plain alignment drifts ~5 items over the excerpt, past the one-item shift allowed.
    assert all(m.score < undone.score for m in plain if m.recording == 6)


def test_a_held_chord_must_score_higher_than_changing_music(index):
    chord = np.full(80, 0x5A5A5A5A, dtype=np.uint32)  # a stretch whose bits never change
    held = FingerprintIndex()
    held.add(1, np.concatenate([chord, chord]))

    [match] = held.search({PLAIN: chord}, min_score=0.0)

    assert change_rate(chord) == 0.0 < STATIC_CHANGE
    assert match.score == 1.0 and match.margin == STATIC_MARGIN
    assert match.strength == pytest.approx(1.0 - STATIC_MARGIN)


@pytest.mark.parametrize("genre", ["pop", "rock", "jazz", "electronic", "folk", "hiphop", "ambient"])
def test_music_that_is_not_in_the_catalogue_matches_nothing(index, genre):
    for seed in (901, 902):
        unrelated = excerpt(track((genre,), seed=seed, seconds=25), 8, 10)
        assert search(index, unrelated, variants=ROBUST_VARIANTS) == []


def test_one_ffmpeg_run_decodes_every_variant_as_separate_runs_would(catalogue):
    query = ffmpeg(excerpt(catalogue[2], 10, 8), "-b:a", "96k", fmt="mp3")

    decoded = decode_variants(query, ROBUST_VARIANTS)

    for variant in ROBUST_VARIANTS:
        assert np.array_equal(decoded[variant], decode(query, variant=variant))


def test_unrelated_music_differs_in_a_third_or_more_of_its_bits(catalogue):
    a, b = fingerprint(catalogue[1]).values, fingerprint(catalogue[2]).values
    n = min(len(a), len(b))

    assert bit_error_rate(a[:n], b[:n]) > 0.3
    assert bit_error_rate(a[:n], a[:n]) == 0.0


def test_alignments_rank_by_votes_then_by_their_first_vote():
    index = FingerprintIndex()
    index._owner, index._start = np.array([7, 7, 9, 9]), np.array([0, 1, 0, 5])
    # Row r's neighbour w votes for (recording of w, start of w - r); -1 is no neighbour.
    ids = np.array([[2, 0], [3, 1], [2, -1], [1, 3]])
    distances = np.zeros(ids.shape, dtype=np.int32)
    distances[3] = MAX_WINDOW_DISTANCE + 1  # too far to be evidence

    ranked = index._most_voted(distances, ids, step=1)

    assert ranked == [(7, 0), (9, 0), (9, 4), (9, -2)]  # (9, -2) sorts first but came last


def test_index_survives_a_save_and_load(index, catalogue, tmp_path):
    index.save(tmp_path / "catalogue.index")
    loaded = FingerprintIndex.load(tmp_path / "catalogue.index")

    assert len(loaded) == len(index) and loaded.windows == index.windows
    assert loaded.layout == index.layout
    assert search(loaded, excerpt(catalogue[4], 20, 10)) == search(index, excerpt(catalogue[4], 20, 10))


def test_loading_reads_each_stored_array_once(index, tmp_path, monkeypatch):
    # Each read of an array in an .npz decompresses it whole: read once per recording, a
    # 100k-track index needed more than 23 GB to load.
    index.save(tmp_path / "catalogue.index")
    reads = Counter()
    read = np.lib.npyio.NpzFile.__getitem__
    monkeypatch.setattr(
        np.lib.npyio.NpzFile, "__getitem__", lambda self, key: reads.update([key]) or read(self, key)
    )

    FingerprintIndex.load(tmp_path / "catalogue.index")

    assert len(index) > 1 and set(reads.values()) == {1}


def test_adding_a_recording_twice_changes_nothing(index, catalogue):
    windows = index.windows

    index.add(1, fingerprint(catalogue[1]).values)

    assert index.windows == windows


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not audio at all", "not decodable"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "not decodable"),
        (None, "silent"),
        ("short", "shorter than"),
    ],
    ids=["text", "truncated-wav", "silence", "too-short"],
)
def test_bad_audio_is_refused_with_the_reason(catalogue, data, message):
    if data is None:
        data = ffmpeg(catalogue[1], "-af", "volume=0")
    elif data == "short":
        data = excerpt(catalogue[1], 0, 2)

    with pytest.raises(AudioError, match=message):
        fingerprint(data)


def test_large_catalogues_get_the_inverted_layout():
    assert layout_for(100_000) == EXHAUSTIVE
    large = layout_for(300_000_000)  # about 100k tracks of 3 minutes

    assert large.nlist and large.reference_stride > 1 and large.query_stride == 1
    assert large.variant_query_stride == 2  # the variants at every other window
    assert 300_000_000 // large.reference_stride // large.nlist <= 2000  # short lists


def test_a_catalogue_that_grows_large_is_re_laid_out(catalogue, settings, tmp_path, monkeypatch, db):
    from accounts.roles import OrganisationKind
    from similarity import index as index_module
    from similarity.catalogue_index import index_for
    from similarity.ingestion import catalogue_ingest
    from similarity.services import IngestItem, catalogue_create
    from tests.accounts.factories import OrganisationFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(index_module, "INVERTED_FROM_WINDOWS", 1000)  # about 2 minutes of audio
    label = OrganisationFactory(kind=OrganisationKind.RIGHTS_HOLDER)
    masters = catalogue_create(organisation=label, name="Masters")
    items = []
    for number, data in catalogue.items():
        (tmp_path / f"{number}.wav").write_bytes(data)
        items.append(IngestItem(tmp_path / f"{number}.wav", f"{number}.wav"))

    catalogue_ingest(catalogue=masters, items=items[:1])
    assert index_for(masters).layout == EXHAUSTIVE
    catalogue_ingest(catalogue=masters, items=items[1:])

    grown = index_for(masters)
    assert grown.layout.nlist and len(grown) == len(catalogue)
    query = {PLAIN: fingerprint(excerpt(catalogue[4], 20, 10)).values}
    assert grown.search(query)[0].recording == Recording.objects.get(source_path="4.wav").index_key


@pytest.mark.skipif(not gpu_count(), reason="faiss sees no GPU here (faiss-cpu or no device)")
def test_a_gpu_copy_of_the_index_finds_what_the_cpu_index_finds(catalogue):
    cpu, gpu = FingerprintIndex(), FingerprintIndex(device="cuda")
    for built in (cpu, gpu):
        built.add_many((number, fingerprint(data).values) for number, data in catalogue.items())
    query = excerpt(catalogue[3], 15, 10)

    assert search(gpu, query) == search(cpu, query)


def test_searches_run_on_the_cpu_unless_faiss_sees_a_gpu(settings):
    settings.SIMILARITY_DEVICE = "auto"
    assert search_device() == ("cuda" if gpu_count() else "cpu")
    settings.SIMILARITY_DEVICE = "cpu"
    assert search_device() == "cpu"


@pytest.mark.skipif(gpu_count() > 0, reason="this machine has a GPU faiss can use")
def test_asking_for_a_gpu_that_faiss_cannot_see_names_the_setting(settings):
    settings.SIMILARITY_DEVICE = "cuda"

    with pytest.raises(ImproperlyConfigured, match="SIMILARITY_DEVICE"):
        search_device()


@pytest.mark.parametrize("size", [44_100 * 7, 308_701])  # a smooth length, and a prime one
def test_audio_in_memory_resamples_to_the_exact_length_and_pitch(size):
    tone = np.sin(2 * np.pi * 440 * np.arange(size) / 44_100)

    samples = samples_from_audio(np.stack([tone, tone]), 44_100)

    assert samples.size == round(size / 4)
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    assert np.argmax(spectrum) * 11_025 / samples.size == pytest.approx(440, abs=2)
