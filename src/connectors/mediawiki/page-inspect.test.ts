import { describe, expect, it } from 'vitest';
import { withoutImporterRevisions } from './page-inspect.js';
import { isCarriedAuthor } from './pages.js';
import { isImportedUserName, isReservedUserName } from './reserved-names.js';

const rev = (revid: number, parentid: number, user: string, sha1: string, comment = '') => ({ revid, parentid, user, sha1, comment });

describe('withoutImporterRevisions', () => {
  it('drops the import null revisions and the restored latest text by the importing account, nothing else', () => {
    const revisions = [
      rev(1, 0, 'Alice', 'a'),
      rev(2, 1, 'Bob', 'b'),
      rev(3, 2, 'Bob', 'b', 'a null revision by someone else: a source revision'),
      rev(10, 3, 'Admin', 'b', '3 revisions imported: Migrated by Ferry'),
      rev(11, 10, 'Admin', 'b', '1 revision imported: Migrated by Ferry'),
      rev(12, 11, 'Admin', 'a', 'Current text of the source page (revision of 2020-01-01T00:00:00Z), restored by Ferry/0.1.0'),
      rev(13, 12, 'Admin', 'c', 'a real edit by the same account'),
    ];
    expect(withoutImporterRevisions(revisions, 'Admin').map((r) => r.revid)).toEqual([1, 2, 3, 13]);
  });

  it('keeps a history imported out of order (the latest with parent 0)', () => {
    const revisions = [rev(5, 4, 'Conversion script', 'x'), rev(6, 5, 'Bob', 'y'), rev(1, 0, 'Alice', 'z')];
    expect(withoutImporterRevisions(revisions, 'Admin')).toEqual(revisions);
  });
});

describe('authors', () => {
  it('carries registered users only: not system accounts, IPs, imported or hidden names', () => {
    expect(isCarriedAuthor({ anon: false, userHidden: false, user: 'Alice' })).toBe(true);
    for (const user of ['Maintenance script', 'MediaWiki_default', 'Conversion script', 'MediaWiki message delivery']) {
      expect(isReservedUserName(user)).toBe(true);
      expect(isCarriedAuthor({ anon: false, userHidden: false, user })).toBe(false);
    }
    expect(isImportedUserName('oldwiki>Zed')).toBe(true);
    expect(isCarriedAuthor({ anon: false, userHidden: false, user: 'oldwiki>Zed' })).toBe(false);
    expect(isCarriedAuthor({ anon: true, userHidden: false, user: '192.0.2.1' })).toBe(false);
    expect(isCarriedAuthor({ anon: false, userHidden: true, user: 'Alice' })).toBe(false);
  });
});
