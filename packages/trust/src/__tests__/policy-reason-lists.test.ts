/**
 * A require rule's reason names every identity that counted and every one that did not, each
 * list in full: a gate's log must say who is missing, not only how many.
 */
import { evaluateSubject } from '../policy/evaluate.ts';
import { parsePolicy } from '../policy/parse.ts';
import { resolveSubject } from '../resolve.ts';
import { A, NOW, assert } from './fixtures.ts';

describe('require reasons with several identities', () => {
  it('joins the counted with ", " and the not counted with "; "', async () => {
    const policy = await parsePolicy(
      'version: 1\nrequire:\n  - {role: qa, status: trusted, min: 3}\n',
    );
    const entries = [
      assert(1, 'qa-a', 'trusted', { role: 'qa' }),
      assert(2, 'qa-b', 'trusted', { role: 'qa' }),
      assert(3, 'qa-c', 'untrusted', { role: 'qa' }),
      assert(4, 'qa-d', 'unsupported', { role: 'qa' }),
    ];
    const decision = evaluateSubject(policy, resolveSubject(A, entries, []), {
      now: NOW,
      subject: 'app.tar',
    });
    expect(decision.reasons).toEqual([
      'blocked: rule require[0] (role qa, status trusted, min 3) needs 3, found 2: qa-a, qa-b; ' +
        'not counted: qa-c holds untrusted (index 3); qa-d holds unsupported (index 4)',
    ]);
  });
});
