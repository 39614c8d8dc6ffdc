"""Tiny random MusicGen and Stable Audio models, saved the way an operator's weights
directory is laid out. Built by the tests; nothing is downloaded."""

from pathlib import Path

import torch

WORDS = ["a", "b", "c", "sea", "song", "sad", "slow", "happy", "pop", "rock", "folk", "calm", "night"]


def _tokenizer(max_length: int = 32):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocabulary = {"<pad>": 0, "</s>": 1, "<unk>": 2, **{word: i + 3 for i, word in enumerate(WORDS)}}
    core = Tokenizer(models.WordLevel(vocabulary, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=max_length,
    )


def build_musicgen(folder: Path) -> Path:
    from transformers import (
        EncodecConfig,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        T5Config,
    )

    torch.manual_seed(0)
    text = T5Config(
        vocab_size=64, d_model=16, d_kv=4, d_ff=32, num_layers=1, num_heads=2, pad_token_id=0, eos_token_id=1
    )
    audio = EncodecConfig(
        sampling_rate=16000,
        audio_channels=1,
        num_filters=4,
        hidden_size=8,
        codebook_size=32,
        codebook_dim=8,
        upsampling_ratios=[8, 5, 4, 2],
        target_bandwidths=[2.2],
        num_lstm_layers=1,
    )
    decoder = MusicgenDecoderConfig(
        vocab_size=32,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=32,
        num_codebooks=audio.num_quantizers,
        max_position_embeddings=512,
        pad_token_id=32,
        bos_token_id=32,
    )
    config = MusicgenConfig(
        text_encoder=text.to_dict(), audio_encoder=audio.to_dict(), decoder=decoder.to_dict()
    )
    model = MusicgenForConditionalGeneration(config)
    # transformers starts EnCodec codebooks at zero: every token would decode to the same
    # audio, and different seeds could not be told apart.
    with torch.no_grad():
        for layer in model.audio_encoder.quantizer.layers:
            layer.codebook.embed.normal_()
    model.save_pretrained(folder)
    _tokenizer().save_pretrained(folder)
    return folder


def build_stable_audio(folder: Path) -> Path:
    from diffusers import (
        AutoencoderOobleck,
        CosineDPMSolverMultistepScheduler,
        StableAudioDiTModel,
        StableAudioPipeline,
    )
    from diffusers.pipelines.stable_audio import StableAudioProjectionModel
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    pipeline = StableAudioPipeline(
        vae=AutoencoderOobleck(
            encoder_hidden_size=6,
            downsampling_ratios=[1, 2],
            decoder_channels=3,
            decoder_input_channels=3,
            audio_channels=2,
            channel_multiples=[2, 4],
            sampling_rate=4,
        ),
        text_encoder=T5EncoderModel(
            T5Config(
                vocab_size=64,
                d_model=4,
                d_kv=2,
                d_ff=8,
                num_layers=1,
                num_heads=2,
                pad_token_id=0,
                eos_token_id=1,
            )
        ),
        projection_model=StableAudioProjectionModel(
            text_encoder_dim=4, conditioning_dim=4, min_value=0, max_value=32
        ),
        tokenizer=_tokenizer(16),
        transformer=StableAudioDiTModel(
            sample_size=4,
            in_channels=3,
            num_layers=2,
            attention_head_dim=4,
            num_attention_heads=2,
            num_key_value_attention_heads=2,
            out_channels=3,
            cross_attention_dim=4,
            time_proj_dim=8,
            global_states_input_dim=8,
            cross_attention_input_dim=4,
        ),
        scheduler=CosineDPMSolverMultistepScheduler(
            solver_order=2, prediction_type="v_prediction", sigma_data=1.0, sigma_schedule="exponential"
        ),
    )
    pipeline.save_pretrained(folder)
    return folder
