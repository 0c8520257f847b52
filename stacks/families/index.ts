/**
 * The families an environment is made of, in build order (a family may use what the ones before it built).
 * Adding a family: docs/contributing.md.
 */
import { databases } from "./databases";
import { dns } from "./dns";
import { hosts } from "./hosts";
import { kubernetes } from "./kubernetes";
import { loadBalancers } from "./loadBalancers";
import { network } from "./network";
import { servers } from "./servers";
import { storage } from "./storage";

/** Families built on OVHcloud, when the environment has an OVH target. */
export const OVH_FAMILIES = [network, servers, kubernetes, databases, storage, loadBalancers, dns] as const;

/** Families built wherever the environment is (servers reached over SSH). */
export const ANYWHERE_FAMILIES = [hosts] as const;

export type { Built, Family, FamilyContext, OvhFamilyContext, Placement } from "./context";
