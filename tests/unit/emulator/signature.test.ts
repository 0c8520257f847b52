/** The emulator signs and verifies exactly as go-ovh does (its own published test vectors). */
import { checkSignature, ovhSignature } from "../../../emulator/signature";

const AS = "9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk";
const CK = "5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY";
const TS = "1457018875";

describe("OVH request signature", () => {
  it.each([
    ["GET", "https://eu.api.ovh.com/1.0/auth", "", "$1$e9556054b6309771395efa467c22e627407461ad"],
    [
      "POST",
      "https://eu.api.ovh.com/1.0/auth",
      '{"a":"b","c":"d"}',
      "$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1",
    ],
    ["GET", "https://eu.api.ovh.com/v2/call", "", "$1$bb63b132a6f84ad5433d0c534d48d3f7c3804285"],
  ])("%s %s matches go-ovh's vector", (method, url, body, expected) => {
    expect(ovhSignature({ applicationSecret: AS, consumerKey: CK, method, url, body, timestamp: TS })).toBe(
      expected,
    );
  });

  const creds = { applicationKey: "AK", applicationSecret: AS, consumerKey: CK };
  const signed = (over: Record<string, string> = {}) => ({
    method: "GET",
    url: "http://127.0.0.1/1.0/x",
    body: "",
    headers: {
      "x-ovh-application": "AK",
      "x-ovh-consumer": CK,
      "x-ovh-timestamp": TS,
      "x-ovh-signature": ovhSignature({
        applicationSecret: AS,
        consumerKey: CK,
        method: "GET",
        url: "http://127.0.0.1/1.0/x",
        body: "",
        timestamp: TS,
      }),
      ...over,
    },
  });

  it("accepts a good signature and refuses each way a request can be wrong, with OVH's codes", () => {
    expect(checkSignature(creds, signed(), Number(TS))).toBeUndefined();
    expect(checkSignature(creds, signed({ "x-ovh-application": "other" }), Number(TS))).toMatchObject({
      status: 403,
      errorCode: "INVALID_KEY",
    });
    expect(checkSignature(creds, signed({ "x-ovh-consumer": "other" }), Number(TS))).toMatchObject({
      status: 403,
      errorCode: "INVALID_CREDENTIAL",
    });
    expect(checkSignature(creds, signed({ "x-ovh-signature": "$1$00" }), Number(TS))).toMatchObject({
      status: 400,
      errorCode: "INVALID_SIGNATURE",
    });
    expect(checkSignature(creds, signed(), Number(TS) + 3600)).toMatchObject({
      status: 400,
      errorCode: "QUERY_TIME_OUT",
    });
  });
});
