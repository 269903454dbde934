"""Voice: push-to-talk tasks, spoken confirmations and "stop", all on this machine.

Audio sources (``audio``, ``microphone``) feed 30 ms frames to the VAD (``vad``), whose
utterances go to a ``Recognizer`` (``recognizer``): faster-whisper for free speech
(``whisper``, model fetched by ``whisper_download``, sized by ``whisper_choice``) or
pocketsphinx (``sphinx``) for command words and as the fallback.  ``listening`` runs
them on threads; ``speech_out`` speaks short replies.  Imports only ``deskhand.core`` of
ours; the app wires it (``deskhand.app.voice_*``).
"""
