import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertStatus,
  KeyHash,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_pkix_ocsp_basic,
} from '@peculiar/asn1-ocsp';
import { startTestServer, type TestServer } from './support/test-server.js';
import { BOOT_201, RawStation } from './support/raw-station.js';
import { generateKeys, LocalContractCertificateProvider, readOcspResponse } from '../src/modules/security/index.js';

const PASSWORD = 'pnc-station-password-0123';
const REVOKED_SERIAL = '0bad';

let server: TestServer;
let responder: Server;
let responderUrl: string;
const responderHits: string[] = [];

/** A local RFC 6960 responder: "revoked" for one serial, "good" for the rest, valid for an hour. */
async function startResponder(): Promise<void> {
  const keys = await generateKeys('ecdsa');
  responder = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const request = AsnConvert.parse(Buffer.concat(chunks), OCSPRequest);
      const certID = request.tbsRequest.requestList[0]!.reqCert;
      const serial = Buffer.from(certID.serialNumber).toString('hex');
      responderHits.push(serial);
      const now = new Date();
      const certStatus = serial === REVOKED_SERIAL ? new CertStatus({ revoked: new RevokedInfo({ revocationTime: now }) }) : new CertStatus({ good: null });
      const tbs = new ResponseData({
        responderID: new ResponderID({ byKey: new KeyHash(new Uint8Array(20)) }),
        producedAt: now,
        responses: [new SingleResponse({ certID, certStatus, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3_600_000) })],
      });
      const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, AsnConvert.serialize(tbs));
      const basic = new BasicOCSPResponse({ tbsResponseData: tbs, signatureAlgorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' }), signature });
      const response = new OCSPResponse({
        responseStatus: OCSPResponseStatus.successful,
        responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
      });
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from(AsnConvert.serialize(response)));
    });
  });
  await new Promise<void>((resolve) => responder.listen(0, '127.0.0.1', resolve));
  responderUrl = `http://127.0.0.1:${(responder.address() as AddressInfo).port}/ocsp`;
}

async function online(id: string): Promise<RawStation> {
  expect((await server.api('POST', '/api/v1/stations', { id, password: PASSWORD, ocppVersion: '2.0.1' })).status).toBe(201);
  const station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id, password: PASSWORD });
  expect(((await station.call('BootNotification', BOOT_201))[2] as { status: string }).status).toBe('Accepted');
  return station;
}

const hashData = (serialNumber: string, responderURL = responderUrl) => ({
  hashAlgorithm: 'SHA256',
  issuerNameHash: 'a1'.repeat(32),
  issuerKeyHash: 'b2'.repeat(32),
  serialNumber,
  responderURL,
});

beforeAll(async () => {
  await startResponder();
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => responder?.close(resolve));
});

describe('M06 GetCertificateStatus through OCSP', () => {
  it('TC_M_24_CSMS M06.FR.02/03/08/09 the DER OCSP answer is relayed as ocspResult and reused from the cache until nextUpdate', async () => {
    const station = await online('PNC-OCSP');
    const first = await station.call('GetCertificateStatus', { ocspRequestData: hashData('01f2') });
    const answer = first[2] as { status: string; ocspResult: string };
    expect(answer.status).toBe('Accepted');
    expect(readOcspResponse(Buffer.from(answer.ocspResult, 'base64')).certStatus).toBe('good');
    const second = await station.call('GetCertificateStatus', { ocspRequestData: hashData('01F2') });
    expect((second[2] as { ocspResult: string }).ocspResult).toBe(answer.ocspResult);
    expect(responderHits.filter((s) => s === '01f2')).toHaveLength(1);

    const revoked = await station.call('GetCertificateStatus', { ocspRequestData: hashData(REVOKED_SERIAL) });
    expect(readOcspResponse(Buffer.from((revoked[2] as { ocspResult: string }).ocspResult, 'base64')).certStatus).toBe('revoked');
    await station.close();
  });

  it('M06.FR.04 an unreachable responder is answered Failed, not a CALLERROR', async () => {
    const station = await online('PNC-OCSP-DOWN');
    const reply = await station.call('GetCertificateStatus', { ocspRequestData: hashData('02', 'http://127.0.0.1:1/ocsp') });
    expect(reply[0]).toBe(3);
    expect((reply[2] as { status: string }).status).toBe('Failed');
    await station.close();
  });
});

describe('M01/M02 Get15118EVCertificate through a contract certificate provider', () => {
  it('TC_M_26_CSMS TC_M_28_CSMS the EXI request reaches the provider and its EXI response goes back; unknown requests fail', async () => {
    const provider = new LocalContractCertificateProvider();
    provider.answer('ZXhpLXJlcXVlc3Q=', 'ZXhpLXJlc3BvbnNl');
    server.app.security.useContractCertificateProvider(provider);
    const station = await online('PNC-EV');
    const ok = await station.call('Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: 'ZXhpLXJlcXVlc3Q=' });
    expect(ok[2]).toEqual({ status: 'Accepted', exiResponse: 'ZXhpLXJlc3BvbnNl' });
    expect(provider.received[0]).toMatchObject({ stationId: 'PNC-EV', action: 'Install', iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef' });
    const unknown = await station.call('Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Update', exiRequest: 'b3RoZXI=' });
    expect((unknown[2] as { status: string }).status).toBe('Failed');
    await station.close();
  });
});
