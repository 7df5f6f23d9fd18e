import EngineWorkloads
import PlantedWorkloads
import SoakGateCLI

// This repository's own soakgate: the harness with the planted cases and the engines'
// operations (EngineWorkloads, the one module that joins the engines to the harness). Built
// from Engines/, so the harness a user depends on never sees an engine.
await SoakGateMain.run(workloads: PlantedWorkloads.all + EngineWorkloads.all)
