/*
 * Speech-to-text for voicemails (docs/sms-voice.md "Another speech-to-text service"). Twilio's own
 * transcription is the default: it needs no code here, Twilio calls the `transcription` webhook. Another
 * service is one file implementing `SpeechToText` plus one `speech.register(...)` line in app.ts; an
 * inbox picks it in its voice settings (`voice.transcriber`). Its HTTP calls go through
 * platform/http/outbound.ts like every other call to the outside.
 */

export interface SpeechToText {
  /** What `voice.transcriber` names (`twilio` is reserved for Twilio's built-in transcription). */
  readonly name: string;
  /**
   * The recording's words, or null when there were none. Throw when the service failed: the voicemail
   * still lands, with a note that no transcript could be made.
   */
  transcribe(
    audio: { data: Buffer; contentType: string },
    o: { workspaceId: number; language: string },
  ): Promise<string | null>;
}

/** The services an inbox can choose besides Twilio's transcription. */
export class SpeechRegistry {
  private services = new Map<string, SpeechToText>();
  register(s: SpeechToText) {
    if (s.name === 'twilio') throw new Error('"twilio" is Twilio’s built-in transcription');
    this.services.set(s.name, s);
  }
  get(name: string): SpeechToText | undefined {
    return this.services.get(name);
  }
  names(): string[] {
    return ['twilio', ...this.services.keys()];
  }
}
