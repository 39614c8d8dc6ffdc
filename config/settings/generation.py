"""Generation: device, threads, limits, and where operators put real model weights."""

from config.env import env

GENERATION_DEVICE = env.choice("GENERATION_DEVICE", ("auto", "cpu", "cuda"), "auto")
# CPU results depend on the thread count, so it is fixed (and recorded with every take).
GENERATION_THREADS = env.int("GENERATION_THREADS", 1, minimum=1, maximum=256)
GENERATION_MAX_DURATION_S = env.int("GENERATION_MAX_DURATION_S", 300, minimum=1)
GENERATION_MAX_TAKES = env.int("GENERATION_MAX_TAKES", 16, minimum=1)
# Local directories with real weights (offline, never fetched from a hub).
GENERATION_MUSICGEN_DIR = env.str("GENERATION_MUSICGEN_DIR", None)
GENERATION_STABLE_AUDIO_DIR = env.str("GENERATION_STABLE_AUDIO_DIR", None)
GENERATION_STABLE_AUDIO_STEPS = env.int("GENERATION_STABLE_AUDIO_STEPS", 100, minimum=1, maximum=1000)

# Similarity: where the catalogues' FAISS indexes are searched (auto: a GPU when faiss-gpu
# sees one), and the largest audio upload accepted for matching (bytes).
SIMILARITY_DEVICE = env.choice("SIMILARITY_DEVICE", ("auto", "cpu", "cuda"), "auto")
SIMILARITY_MAX_UPLOAD_BYTES = env.int("SIMILARITY_MAX_UPLOAD_BYTES", 100 * 1024 * 1024, minimum=1024)
