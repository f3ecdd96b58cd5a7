"""VoC Ticker's core: records, store, tagger, mixer, feeds, pipeline and CLI."""
