//! Customer 360 (R-CH-6): what the view of one customer holds and its limits. The use case is
//! `kefu_desk::lookup`.

use crate::case::Case;
use crate::claim::Claim;
use crate::customer::Customer;
use crate::pickup::Pickup;
use crate::shipment::Shipment;

/// How many of each list the 360 view shows.
pub const VIEW_LIMIT: u32 = 50;

/// How many customers a name search offers to choose from.
pub const NAME_MATCHES: u32 = 20;

/// One customer and what is theirs, each list newest first.
#[derive(Debug, Clone)]
pub struct Customer360 {
    pub customer: Customer,
    pub cases: Vec<Case>,
    pub shipments: Vec<Shipment>,
    pub pickups: Vec<Pickup>,
    /// Claims with the number of the case they run on.
    pub claims: Vec<(String, Claim)>,
}
