/**
 * Scheduled Events as the instance metadata service shows them to one VM
 * (`GET /metadata/scheduledevents?api-version=2020-07-01`): a document whose incarnation grows with
 * every change, and the events that concern the VM. Approving an event (StartRequests) ends it here.
 */
import { randomUUID } from 'node:crypto';
import { jsonArray, jsonString, parseJson } from '../../json';

export type ScheduledEventType = 'Freeze' | 'Reboot' | 'Redeploy' | 'Preempt' | 'Terminate';

export interface ScheduledEvent {
  readonly EventId: string;
  readonly EventType: ScheduledEventType;
  readonly ResourceType: 'VirtualMachine';
  readonly Resources: string[];
  readonly EventStatus: 'Scheduled' | 'Started';
  /** An HTTP date, e.g. `Mon, 19 Sep 2016 18:29:47 GMT`. */
  readonly NotBefore: string;
  readonly Description: string;
  readonly EventSource: 'Platform' | 'User';
  readonly DurationInSeconds: number;
}

export class ScheduledEvents {
  private incarnation = 1;
  private readonly events: ScheduledEvent[] = [];

  /** Publishes an event for the VM; a Preempt comes 30 seconds ahead, as Azure gives spot VMs. */
  schedule(vmName: string, type: ScheduledEventType): ScheduledEvent {
    const event: ScheduledEvent = {
      EventId: randomUUID().toUpperCase(),
      EventType: type,
      ResourceType: 'VirtualMachine',
      Resources: [vmName],
      EventStatus: 'Scheduled',
      NotBefore: new Date(Date.now() + 30_000).toUTCString(),
      Description: type === 'Preempt' ? 'Virtual machine is being evicted.' : `Virtual machine is going through ${type}.`,
      EventSource: 'Platform',
      DurationInSeconds: type === 'Preempt' ? -1 : 15,
    };
    this.events.push(event);
    this.incarnation++;
    return event;
  }

  documentFor(vmName: string): { DocumentIncarnation: number; Events: ScheduledEvent[] } {
    return { DocumentIncarnation: this.incarnation, Events: this.events.filter((event) => event.Resources.includes(vmName)) };
  }

  /** `{ "StartRequests": [{ "EventId": "…" }] }` from the VM: those events start now and leave the document. */
  approve(vmName: string, body: string): void {
    const ids = jsonArray(parseJson(body), 'StartRequests').map((each) => jsonString(each, 'EventId'));
    for (const id of ids) {
      const index = this.events.findIndex((event) => event.EventId === id && event.Resources.includes(vmName));
      if (index < 0) throw new Error(`No scheduled event ${id} for ${vmName}`);
      this.events.splice(index, 1);
    }
    this.incarnation++;
  }
}
