import { createContext, useContext } from 'react';

export type Role = 'viewer' | 'operator' | 'admin';
export interface SessionUser {
  name: string;
  role: Role;
  createdAt: string;
}

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export interface SessionState {
  user: SessionUser;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionState | undefined>(undefined);

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the signed-in app');
  return session;
}

/** Whether `has` reaches `needs` (viewer < operator < admin). */
export function roleReaches(has: Role, needs: Role): boolean {
  return rank[has] >= rank[needs];
}

/** Whether the signed-in user's role reaches `role` (operators can run, admins manage connections and users). */
export function useCan(role: Role): boolean {
  return rank[useSession().user.role] >= rank[role];
}
