import { TwilioSmsSettings } from '@shopdesk/contracts';
import { describe, expect, it } from 'vitest';
import type { ChannelAccount } from '../inbound.ts';
import { SpeechRegistry } from '../speech-to-text.ts';
import { parseTwilioForm } from './signature.ts';
import type { TwilioApi } from './twilio-api.ts';
import { readVoice, voiceResponse } from './voice.ts';

/* The speech-to-text port: another service instead of Twilio's transcription (docs/sms-voice.md). */

const CALL = `CA${'a'.repeat(32)}`;
const account = (transcriber: string): ChannelAccount<TwilioSmsSettings> => ({
  id: 1,
  workspaceId: 7,
  channel: 'sms',
  name: 'Line',
  address: '+14155550100',
  settings: TwilioSmsSettings.parse({
    accountSid: `AC${'b'.repeat(32)}`,
    phoneNumber: '+14155550100',
    voice: { enabled: true, transcriber },
  }),
  secrets: { authToken: 'x'.repeat(32) },
  webhooks: { voicemail: 'https://desk/vm', transcription: 'https://desk/tr' },
});
const api = {
  fetchMedia: async () => ({ data: Buffer.from('ID3 audio'), contentType: 'audio/mpeg' }),
} as unknown as TwilioApi;
const delivery = {
  id: 1,
  kind: 'voicemail',
  url: 'https://desk/vm',
  headers: {},
  body: Buffer.alloc(0),
  receivedAt: new Date(),
};
const params = new URLSearchParams({
  CallSid: CALL,
  From: '+14155550123',
  To: '+14155550100',
  RecordingUrl: 'https://api.twilio.test/rec/RE1',
  RecordingDuration: '8',
});
const fields = (p: URLSearchParams) => parseTwilioForm(p.toString());

describe('speech-to-text port', () => {
  it('Twilio transcribes by default; another service turns Twilio’s transcription off', () => {
    expect(voiceResponse('voice', account('twilio'), true)).toContain('transcribe="true"');
    expect(voiceResponse('voice', account('whisper-local'), true)).not.toContain('transcribe=');
  });

  it('a registered service transcribes the downloaded recording into a note on the voicemail', async () => {
    const speech = new SpeechRegistry();
    const heard: { type: string; language: string }[] = [];
    speech.register({
      name: 'whisper-local',
      transcribe: async (audio, o) => {
        heard.push({ type: audio.contentType, language: o.language });
        return 'My order 1042 is late.';
      },
    });
    expect(speech.names()).toEqual(['twilio', 'whisper-local']);
    const items = await readVoice(delivery, fields(params), account('whisper-local'), api, 1e6, speech);
    expect(items.map((i) => i.type)).toEqual(['message', 'note']);
    expect(items[1]).toMatchObject({
      threadKey: `call:${CALL}`,
      text: 'Voicemail transcript:\n\nMy order 1042 is late.',
      author: 'Transcription (whisper-local)',
    });
    expect(heard).toEqual([{ type: 'audio/mpeg', language: 'en-US' }]);
  });

  it('a failing or missing service still lands the voicemail, with a note saying why', async () => {
    const speech = new SpeechRegistry();
    speech.register({
      name: 'flaky',
      transcribe: async () => {
        throw new Error('service unavailable');
      },
    });
    const failed = await readVoice(delivery, fields(params), account('flaky'), api, 1e6, speech);
    expect(failed[1]).toMatchObject({ type: 'note', text: expect.stringContaining('service unavailable') });
    const missing = await readVoice(delivery, fields(params), account('nobody'), api, 1e6, speech);
    expect(missing[0]!.type).toBe('message');
    expect(missing[1]).toMatchObject({ text: expect.stringContaining('"nobody" is installed') });
    expect(() => speech.register({ name: 'twilio', transcribe: async () => null })).toThrow();
  });
});
