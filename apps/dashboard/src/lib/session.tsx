/**
 * Who is signed in. A 401 while signed in (session expired, revoked, server restarted with a new key)
 * does not unmount the app: it raises `expired`, the shell shows the sign-in dialog over the current
 * screen, and once signed in again every query refetches — the agent's half-written reply is untouched.
 */
import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { ApiError, api, type MeT, onUnauthorized, setCsrfToken } from './api.ts';

type Stage = 'loading' | 'signed-out' | 'mfa' | 'signed-in';

export interface Session {
  stage: Stage;
  me: MeT | null;
  /** Signed in before, but the server no longer accepts the session. */
  expired: boolean;
  signIn(email: string, password: string, workspace?: string): Promise<'ok' | 'mfa'>;
  verifyTotp(code: string): Promise<void>;
  signOut(): Promise<void>;
  refresh(): Promise<void>;
}

const Ctx = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [stage, setStage] = useState<Stage>('loading');
  const [me, setMe] = useState<MeT | null>(null);
  const [expired, setExpired] = useState(false);

  // The latest agent, readable from callbacks without re-creating them.
  const meRef = useRef<MeT | null>(null);
  meRef.current = me;

  const load = useCallback(async () => {
    const hadSession = meRef.current !== null;
    try {
      const m = await api.auth.me();
      setCsrfToken(m.csrfToken);
      if (m.mfaPending) {
        // Mid-way through signing in again: keep the app (and its drafts) mounted under the dialog.
        if (hadSession) setExpired(true);
        else setStage('mfa');
        return;
      }
      // Someone else signed in on this tab: nothing of the previous agent's screen may stay.
      if (hadSession && meRef.current!.agent.id !== m.agent.id) {
        window.location.assign('/');
        return;
      }
      setMe(m);
      setExpired(false);
      setStage('signed-in');
      if (hadSession) void qc.invalidateQueries();
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) throw e;
      if (hadSession) setExpired(true);
      else setStage(e.code === 'mfa_required' ? 'mfa' : 'signed-out');
    }
  }, [qc]);

  useEffect(() => {
    load().catch(() => setStage('signed-out'));
  }, [load]);

  useEffect(
    () =>
      onUnauthorized(() => {
        if (meRef.current) setExpired(true);
        else setStage('signed-out');
      }),
    [],
  );

  const value = useMemo<Session>(
    () => ({
      stage,
      me,
      expired,
      async signIn(email, password, workspace) {
        const r = await api.auth.login({ email, password, workspace: workspace || undefined });
        setCsrfToken(r.csrfToken);
        if (r.mfaRequired) {
          if (!meRef.current) setStage('mfa');
          return 'mfa';
        }
        await load();
        return 'ok';
      },
      async verifyTotp(code) {
        await api.auth.verifyTotp(code);
        await load();
      },
      async signOut() {
        await api.auth.logout().catch(() => {});
        setCsrfToken(null);
        qc.clear();
        setMe(null);
        setExpired(false);
        setStage('signed-out');
        navigateHome();
      },
      refresh: load,
    }),
    [stage, me, expired, load, qc],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

function navigateHome() {
  window.history.replaceState(null, '', '/');
}

export function useSession(): Session {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in agent; only call below the signed-in shell. */
export function useMe(): MeT {
  const s = useSession();
  if (!s.me) throw new Error('useMe without a session');
  return s.me;
}
