import PlantedWorkloads
import SoakGateCLI

// The harness with its planted cases: leaks and look-alikes whose verdicts are known. The
// engines' operations are in Engines/ (`soakgate-engines`), so this package never builds them.
await SoakGateMain.run(workloads: PlantedWorkloads.all)
