import { useCan } from '../session.js';
import { TokenList } from './access-tokens.js';
import { UserList } from './access-users.js';

/** Users and roles (admins) and everyone's own API tokens. */
export function AccessPage() {
  const isAdmin = useCan('admin');
  return (
    <section>
      <h1>Users and tokens</h1>
      {isAdmin ? <UserList /> : <p>Only an admin can add users and change roles.</p>}
      <TokenList />
    </section>
  );
}
