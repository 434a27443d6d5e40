import { useEffect, useRef, useState } from 'react';
import { api, type TicketDetailT } from '../../lib/api.ts';
import { useRealtimeEvent } from '../../lib/realtime-hooks.tsx';
import { navigate } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';
import {
  type ChatAlertPrefs,
  concernsMe,
  loadPrefs,
  notificationPermission,
  prefsKey,
  savePrefs,
} from './chat-alerts.ts';
import { playChime, unlockAudioOnGesture } from './chime.ts';
import './chat-menu.css';

/**
 * The chat control in the top bar: it listens for visitors' chat lines (every agent's socket hears the
 * workspace's events) and, for chats that concern this agent, plays a chime and — while Shopdesk is in
 * the background — shows a desktop notification. Its menu holds the agent's alert settings and the link
 * to the demo shop. E-mail and other channels do not alert here; mentions have the bell.
 */
export default function ChatMenu() {
  const me = useMe();
  const [prefs, setPrefs] = useState(() => loadPrefs(me.agent.id));
  const [permission, setPermission] = useState(notificationPermission);
  const prefsRef = useRef(prefs);
  prefsRef.current = prefs;
  const handled = useRef(new Set<number>());

  useEffect(() => unlockAudioOnGesture(), []);
  // Another tab of the same agent changed the settings.
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key === prefsKey(me.agent.id)) setPrefs(loadPrefs(me.agent.id));
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [me.agent.id]);

  const alertFor = async (ticketId: number, messageId: number) => {
    const p = prefsRef.current;
    if (!p.sound && !p.desktop) return;
    let t: TicketDetailT;
    try {
      t = await api.tickets.get(ticketId);
    } catch {
      return; // gone or not visible to me: nothing to alert about
    }
    const m = t.messages.find((x) => x.id === messageId);
    // Only what the visitor wrote: my own replies, notes and bot answers are not "message.received".
    if (m?.kind !== 'inbound' || !concernsMe(t, me.agent)) return;
    const lookingAtIt =
      !document.hidden && document.hasFocus() && window.location.pathname === `/tickets/${ticketId}`;
    if (p.sound && !lookingAtIt) playChime();
    if (p.desktop && document.hidden && notificationPermission() === 'granted') {
      const who = t.contact?.name ?? t.contact?.email ?? 'A visitor';
      const n = new Notification(`${who} · chat`, {
        body: m.bodyText.trim().slice(0, 200) || (m.attachments.length ? 'Sent a file' : 'New message'),
        tag: `shopdesk-chat-${ticketId}`,
      });
      n.onclick = () => {
        window.focus();
        navigate(`/tickets/${ticketId}`);
        n.close();
      };
    }
  };

  useRealtimeEvent((e) => {
    if (e.event !== 'message.received' || e.data?.channel !== 'chat' || !e.ticketId || !e.messageId) return;
    // Events are delivered at least once; one alert per message.
    if (handled.current.has(e.messageId)) return;
    if (handled.current.size > 1000) handled.current.clear();
    handled.current.add(e.messageId);
    void alertFor(e.ticketId, e.messageId);
  });

  const change = (next: ChatAlertPrefs) => {
    setPrefs(next);
    savePrefs(me.agent.id, next);
  };
  // Browsers only show the permission prompt from a click, so it is asked here and nowhere else.
  const askPermission = () => {
    void Notification.requestPermission().then((p) => {
      setPermission(p);
      if (p === 'granted') change({ ...prefsRef.current, desktop: true });
    });
  };

  const muted = !prefs.sound;
  return (
    <details className="user-menu chat-menu">
      <summary
        aria-label={`Chat alerts${muted ? ' (sound off)' : ''} and demo shop`}
        title="Chat alerts and demo shop"
        data-sound={prefs.sound ? 'on' : 'off'}
      >
        <span aria-hidden="true">{muted ? '🔇' : '🔊'}</span>
      </summary>
      <div className="menu">
        <div className="menu-head">
          <strong>Chat alerts</strong>
          <span className="muted small">For chats assigned to you or waiting in your teams</span>
        </div>
        <label className="inline">
          <input
            type="checkbox"
            checked={prefs.sound}
            onChange={(e) => {
              change({ ...prefs, sound: e.target.checked });
              if (e.target.checked) playChime();
            }}
          />
          Play a sound
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={prefs.desktop}
            disabled={permission === 'unsupported'}
            onChange={(e) => {
              change({ ...prefs, desktop: e.target.checked });
              if (e.target.checked && permission === 'default') askPermission();
            }}
          />
          Desktop notifications while Shopdesk is in the background
        </label>
        {permission === 'default' && (
          <button type="button" onClick={askPermission}>
            Allow desktop notifications…
          </button>
        )}
        {permission === 'denied' && (
          <span className="muted small">Notifications are blocked in this browser's site settings.</span>
        )}
        <a
          href={`/demo/shop?workspace=${encodeURIComponent(me.workspace.slug)}`}
          target="_blank"
          rel="noreferrer"
        >
          Open the demo shop ↗
        </a>
        <span className="muted small">
          Chat with yourself: the shop in one window, Shopdesk in the other.
        </span>
      </div>
    </details>
  );
}
