/**
 * The emulator's bucket lifecycle routes (`…/region/{r}/storage/{name}/lifecycle`), as the provider's
 * CloudProjectStorageObjectBucketLifecycleConfiguration uses them: PUT sets and echoes the rules, GET reads them
 * back (404 when there are none: the provider then drops the resource from state, which drift reports), DELETE
 * removes them; malformed rules are refused and change nothing.
 */
import { startEmulator, type Emulator } from "../../../emulator/server";
import { ovhClient } from "../../helpers/ovhClient";

const SN = "0123456789abcdef0123456789abcdef";
const BUCKET = `/cloud/project/${SN}/region/GRA/storage/acme-media`;
const RULES = [
  { id: "expire-current", status: "enabled", expiration: { days: 180 } },
  { id: "expire-noncurrent", status: "enabled", noncurrentVersionExpiration: { noncurrentDays: 90 } },
];

describe("emulator: bucket lifecycle", () => {
  let emu: Emulator;
  let ovh: ReturnType<typeof ovhClient>;
  beforeEach(async () => {
    emu = await startEmulator({});
    ovh = ovhClient(emu.endpoint, emu.credentials);
    expect(
      (await ovh("POST", `/cloud/project/${SN}/region/GRA/storage`, { name: "acme-media" })).status,
    ).toBe(200);
  });
  afterEach(() => emu.close());

  it("sets, reads back, replaces and deletes the rules; the bucket itself does not show them", async () => {
    expect(await ovh("GET", `${BUCKET}/lifecycle`)).toMatchObject({ status: 404 });
    expect(await ovh("PUT", `${BUCKET}/lifecycle`, { rules: RULES })).toMatchObject({
      status: 200,
      body: { rules: RULES },
    });
    expect(await ovh("GET", `${BUCKET}/lifecycle`)).toMatchObject({ status: 200, body: { rules: RULES } });
    expect((await ovh("GET", BUCKET)).body).not.toHaveProperty("lifecycle");
    await ovh("PUT", `${BUCKET}/lifecycle`, { rules: [RULES[0]] });
    expect((await ovh("GET", `${BUCKET}/lifecycle`)).body).toEqual({ rules: [RULES[0]] });
    expect(await ovh("DELETE", `${BUCKET}/lifecycle`)).toMatchObject({ status: 200 });
    expect(await ovh("GET", `${BUCKET}/lifecycle`)).toMatchObject({ status: 404 });
    expect(await ovh("DELETE", `${BUCKET}/lifecycle`)).toMatchObject({ status: 404 });
  });

  it("refuses malformed rules and rules for a bucket that does not exist, changing nothing", async () => {
    await ovh("PUT", `${BUCKET}/lifecycle`, { rules: RULES });
    const refused: [unknown, RegExp][] = [
      [{}, /\[rules\] must be a non-empty list/],
      [{ rules: [] }, /\[rules\] must be a non-empty list/],
      [{ rules: [{ id: "a", status: "on", expiration: { days: 1 } }] }, /\[rules\.0\.status\]/],
      [{ rules: [{ id: "a", status: "enabled" }] }, /\[rules\.0\] has no action/],
      [{ rules: [{ id: "a", status: "enabled", expiration: { days: 0 } }] }, /expiration\.days/],
      [
        { rules: [{ id: "a", status: "enabled", noncurrentVersionExpiration: { noncurrentDays: 2.5 } }] },
        /noncurrentDays/,
      ],
      [
        {
          rules: [
            { id: "a", status: "enabled", expiration: { days: 1 } },
            { id: "a", status: "enabled", expiration: { days: 2 } },
          ],
        },
        /"a" is used by another rule/,
      ],
    ];
    for (const [body, message] of refused) {
      const answer = await ovh("PUT", `${BUCKET}/lifecycle`, body);
      expect(answer.status).toBe(400);
      expect(String((answer.body as { message: string }).message)).toMatch(message);
    }
    expect((await ovh("GET", `${BUCKET}/lifecycle`)).body).toEqual({ rules: RULES });
    expect(
      await ovh("PUT", `/cloud/project/${SN}/region/GRA/storage/no-such-bucket/lifecycle`, { rules: RULES }),
    ).toMatchObject({ status: 404 });
  });
});
